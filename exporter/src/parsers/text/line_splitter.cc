#include "parsers/text/line_splitter.h"

namespace edgewatch::text {

// An unfinished line holds at most max_line bytes (one more and it is cut), so a chunk always
// fits behind it.
LineSplitter::LineSplitter(std::size_t max_line, std::size_t chunk)
    : max_line_(max_line),
      chunk_(chunk),
      buffer_(std::make_unique_for_overwrite<char[]>(max_line + chunk)) {}

}  // namespace edgewatch::text
