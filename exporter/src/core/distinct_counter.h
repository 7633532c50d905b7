#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "parsers/net/address.h"

namespace edgewatch {

// MurmurHash3's 64-bit finaliser: every output bit depends on every input bit.
constexpr std::uint64_t MixBits(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// An address's 16 bytes folded into 64 mixed bits, for hash tables keyed by address.
inline std::uint64_t AddressHash(const net::Address& a) {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::memcpy(&hi, a.bytes.data(), 8);
  std::memcpy(&lo, a.bytes.data() + 8, 8);
  return MixBits(hi ^ MixBits(lo));
}

// A 64-bit hash for distinct counting: FNV-1a over the bytes, then MixBits. `fold` maps each
// byte first (e.g. to lower case).
template <typename Fold>
std::uint64_t DistinctHash(std::string_view bytes, Fold fold) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : bytes) {
    h = (h ^ static_cast<std::uint8_t>(fold(c))) * 1099511628211ULL;
  }
  return MixBits(h);
}
inline std::uint64_t DistinctHash(std::string_view bytes) {
  return DistinctHash(bytes, [](char c) { return c; });
}

// Distinct values over a sliding window of event time, in fixed memory: a ring of `slices`
// HyperLogLog sketches (Flajolet et al. 2007) of 2^precision one-byte registers, one per
// window/slices of time; the estimate merges the slices (register-wise maximum), so it covers
// between (slices-1)/slices of the window and all of it. Standard error 1.04 / sqrt(2^precision):
// 1.6% at precision 12; small counts use linear counting and are near exact. Also counts the
// events themselves over the same slices. Add() never allocates. Not thread-safe.
class WindowedDistinct {
 public:
  WindowedDistinct(int precision, int slices, std::int64_t window_ns)
      : precision_(precision),
        slices_(static_cast<std::size_t>(slices)),
        slice_ns_(std::max<std::int64_t>(window_ns / slices, 1)),
        registers_(slices_ << precision, 0),
        events_(slices_, 0) {}

  void Add(std::int64_t now_ns, std::uint64_t hash) {
    Advance(now_ns);
    const std::size_t slice = static_cast<std::size_t>(current_) % slices_;
    const std::size_t index = static_cast<std::size_t>(hash >> (64 - precision_));
    const std::uint64_t rest = hash << precision_;
    const auto rank =
        static_cast<std::uint8_t>(std::min(std::countl_zero(rest), 64 - precision_) + 1);
    std::uint8_t& r = registers_[(slice << precision_) + index];
    r = std::max(r, rank);
    ++events_[slice];
  }

  // Distinct values added within the window before `now_ns`.
  double Estimate(std::int64_t now_ns) {
    Advance(now_ns);
    const std::size_t m = std::size_t{1} << precision_;
    double sum = 0;
    std::size_t zeros = 0;
    for (std::size_t j = 0; j < m; ++j) {
      std::uint8_t r = 0;
      for (std::size_t s = 0; s < slices_; ++s) {
        r = std::max(r, registers_[(s << precision_) + j]);
      }
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    const double md = static_cast<double>(m);
    const double estimate = 0.7213 / (1 + 1.079 / md) * md * md / sum;
    if (estimate <= 2.5 * md && zeros > 0) {
      return md * std::log(md / static_cast<double>(zeros));
    }
    return estimate;
  }

  // Events added within the window before `now_ns`.
  std::uint64_t Events(std::int64_t now_ns) {
    Advance(now_ns);
    std::uint64_t total = 0;
    for (auto e : events_) {
      total += e;
    }
    return total;
  }

 private:
  // Moves to the slice of `now_ns`, clearing the slices it passes (all of them after a gap
  // longer than the window).
  void Advance(std::int64_t now_ns) {
    const std::int64_t slice = now_ns / slice_ns_;
    if (slice <= current_) {
      return;
    }
    if (current_ != INT64_MIN) {  // the registers start cleared
      const std::int64_t steps =
          std::min<std::int64_t>(slice - current_, static_cast<std::int64_t>(slices_));
      for (std::int64_t k = 1; k <= steps; ++k) {
        const std::size_t s = static_cast<std::size_t>(current_ + k) % slices_;
        std::fill_n(registers_.begin() + static_cast<std::ptrdiff_t>(s << precision_),
                    std::size_t{1} << precision_, 0);
        events_[s] = 0;
      }
    }
    current_ = slice;
  }

  int precision_;
  std::size_t slices_;
  std::int64_t slice_ns_;
  std::vector<std::uint8_t> registers_;  // [slice][register]
  std::vector<std::uint64_t> events_;    // [slice]
  std::int64_t current_ = INT64_MIN;     // the slice of the latest event
};

}  // namespace edgewatch
