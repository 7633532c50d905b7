#pragma once

#include <optional>
#include <string_view>

namespace edgewatch::text {

// Shell glob matching of a whole path, as glob(3) matches file names: '*' any run and '?' any one
// character except '/'; everything else, '[' included, is literal (log globs in configs are
// simple; a bracket pattern just never matches here). Pure.
bool GlobMatch(std::string_view pattern, std::string_view path);

// The same for a name that is not a path: '*' and '?' match '/' too ("postfix*" matches
// "postfix-out/smtpd").
bool NameMatch(std::string_view pattern, std::string_view name);

// What the first '*' of `pattern` matched in `path` ("/var/log/apache2/*-access.log" and
// ".../shop.example-access.log" -> "shop.example"); none when the path does not match or the
// pattern has no '*'. The view points into `path`.
std::optional<std::string_view> GlobCapture(std::string_view pattern, std::string_view path);

}  // namespace edgewatch::text
