#include "parsers/net/address.h"

#include "parsers/text/percent.h"

namespace edgewatch::net {
namespace {

bool ParseV4(std::string_view text, std::uint8_t* out) {
  int part = 0;
  std::size_t i = 0;
  while (part < 4) {
    std::size_t digits = 0;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 3) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || value > 255 || (digits > 1 && text[i - digits] == '0')) {
      return false;
    }
    out[part++] = static_cast<std::uint8_t>(value);
    if (part < 4) {
      if (i >= text.size() || text[i] != '.') {
        return false;
      }
      ++i;
    }
  }
  return i == text.size();
}

bool ParseV6(std::string_view text, std::uint8_t* out) {
  std::uint8_t words[16] = {};
  int count = 0;  // 16-bit groups written
  int gap = -1;   // group index where "::" stands
  std::size_t i = 0;
  if (text.starts_with("::")) {
    gap = 0;
    i = 2;
  }
  while (i < text.size()) {
    if (count == 8) {
      return false;
    }
    // An embedded IPv4 address ends the address: ::ffff:192.0.2.1
    const auto rest = text.substr(i);
    if (rest.find('.') != std::string_view::npos && rest.find(':') == std::string_view::npos) {
      if (count > 6 || !ParseV4(rest, words + 2 * count)) {
        return false;
      }
      count += 2;
      i = text.size();
      break;
    }
    unsigned value = 0;
    std::size_t digits = 0;
    while (i < text.size() && text::HexDigit(text[i]) >= 0 && digits < 4) {
      value = value * 16 + static_cast<unsigned>(text::HexDigit(text[i]));
      ++i;
      ++digits;
    }
    if (digits == 0) {
      return false;
    }
    words[2 * count] = static_cast<std::uint8_t>(value >> 8);
    words[2 * count + 1] = static_cast<std::uint8_t>(value & 0xFF);
    ++count;
    if (i == text.size()) {
      break;
    }
    if (text[i] != ':') {
      return false;
    }
    ++i;
    if (i < text.size() && text[i] == ':') {
      if (gap >= 0) {
        return false;
      }
      gap = count;
      ++i;
    } else if (i == text.size()) {
      return false;  // a trailing single ':'
    }
  }
  if (gap < 0 ? count != 8 : count > 7) {
    return false;
  }
  const int tail = count - (gap < 0 ? count : gap);
  for (int k = 0; k < 16; ++k) {
    out[k] = 0;
  }
  const int head = gap < 0 ? count : gap;
  for (int k = 0; k < 2 * head; ++k) {
    out[k] = words[k];
  }
  for (int k = 0; k < 2 * tail; ++k) {
    out[16 - 2 * tail + k] = words[2 * head + k];
  }
  return true;
}

void AppendDecimal(std::string& out, unsigned value) {
  if (value >= 10) {
    AppendDecimal(out, value / 10);
  }
  out.push_back(static_cast<char>('0' + value % 10));
}

void AppendV4(std::string& out, const std::uint8_t* bytes) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      out.push_back('.');
    }
    AppendDecimal(out, bytes[i]);
  }
}

void AppendHex(std::string& out, unsigned value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned digit = (value >> shift) & 0xF;
    if (digit != 0 || started || shift == 0) {
      out.push_back(kDigits[digit]);
      started = true;
    }
  }
}

}  // namespace

std::string FormatAddress(const Address& address) {
  std::string out;
  const auto& b = address.bytes;
  if (!address.v6) {
    AppendV4(out, b.data());
    return out;
  }
  unsigned words[8];
  for (int i = 0; i < 8; ++i) {
    words[i] = static_cast<unsigned>(b[static_cast<std::size_t>(2 * i)] << 8 |
                                     b[static_cast<std::size_t>(2 * i + 1)]);
  }
  int best = -1;
  int best_length = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && words[j] == 0) {
      ++j;
    }
    if (j - i > best_length) {
      best = i;
      best_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  if (best_length < 2) {
    best = -1;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (i > 0 && i != best + best_length) {
      out.push_back(':');
    }
    // As inet_ntop: an IPv4 tail for ::a.b.c.d and ::ffff:a.b.c.d.
    if (i == 6 && best == 0 && (best_length == 6 || (best_length == 5 && words[5] == 0xFFFF))) {
      AppendV4(out, b.data() + 12);
      break;
    }
    AppendHex(out, words[i]);
  }
  return out;
}

std::optional<Address> ParseAddress(std::string_view text) {
  Address a;
  if (text.find(':') != std::string_view::npos) {
    a.v6 = true;
    return ParseV6(text, a.bytes.data()) ? std::optional(a) : std::nullopt;
  }
  return ParseV4(text, a.bytes.data()) ? std::optional(a) : std::nullopt;
}

}  // namespace edgewatch::net
