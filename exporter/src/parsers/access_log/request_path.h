#pragma once

#include <span>
#include <string_view>

namespace edgewatch::access_log {

// The path Apache maps a logged request target to, so that every form that runs a script is
// matched as that script: the path of an absolute URI (`http://host/x` -> `/x`), the query and
// fragment cut, unreserved characters percent-decoded (`%78mlrpc%2Ephp` -> `xmlrpc.php`, as
// ap_normalize_path does; an encoded '/' stays, Apache refuses it), runs of '/' merged
// (MergeSlashes), `.` and `..` segments removed, and PATH_INFO after a `.php` segment dropped
// (`/xmlrpc.php/x` -> `/xmlrpc.php`). `/xmlrpc.php.bak` and `/?from=xmlrpc.php` are not
// `/xmlrpc.php`.
//
// Returns a view of `target` when nothing changes (the common case, no copy), else of `scratch`,
// which is then overwritten; a path longer than `scratch` is cut to it (Apache refuses request
// lines over 8190 bytes). Pure, no allocation.
std::string_view ResolvePath(std::string_view target, std::span<char> scratch);

}  // namespace edgewatch::access_log
