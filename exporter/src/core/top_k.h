#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace edgewatch {

// Heavy hitters with fixed memory: the Space-Saving algorithm (Metwally, Agrawal, El Abbadi,
// 2005). Holds at most `capacity` keys; a new key evicts the smallest and inherits its count, so
// a key's count may be over-estimated by at most the smallest count, never under-estimated. With
// capacity several times the k reported, the top k are exact for skewed (attack) traffic.
// Add() never allocates. Not thread-safe.
template <typename Key>
class SpaceSaving {
 public:
  explicit SpaceSaving(std::size_t capacity) : entries_(capacity) {}

  void Add(const Key& key, std::uint64_t weight) {
    Entry* smallest = nullptr;
    for (auto& e : entries_) {
      if (e.used && e.key == key) {
        e.count += weight;
        return;
      }
      if (!e.used) {
        e = Entry{key, weight, true};
        return;
      }
      if (smallest == nullptr || e.count < smallest->count) {
        smallest = &e;
      }
    }
    if (smallest != nullptr) {
      *smallest = Entry{key, smallest->count + weight, true};
    }
  }

  void Clear() {
    for (auto& e : entries_) {
      e.used = false;
    }
  }

  // Adds every held key and count to `out` (merging equal keys).
  void AppendTo(std::vector<std::pair<Key, std::uint64_t>>& out) const {
    for (const auto& e : entries_) {
      if (!e.used) {
        continue;
      }
      auto it =
          std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == e.key; });
      if (it != out.end()) {
        it->second += e.count;
      } else {
        out.emplace_back(e.key, e.count);
      }
    }
  }

 private:
  struct Entry {
    Key key{};
    std::uint64_t count = 0;
    bool used = false;
  };
  std::vector<Entry> entries_;
};

// Space-Saving over a sliding window of event time: two halves of `window` each, so Top()
// covers between window/2 and window of the most recent history. Time comes with each event (a
// packet timestamp), so replayed captures behave as live ones did. Not thread-safe.
template <typename Key>
class WindowedTopK {
 public:
  WindowedTopK(std::size_t capacity, std::int64_t window_ns)
      : current_(capacity),
        previous_(capacity),
        half_ns_(std::max<std::int64_t>(window_ns / 2, 1)) {}

  void Add(std::int64_t now_ns, const Key& key, std::uint64_t weight) {
    Advance(now_ns);
    current_.Add(key, weight);
  }

  // The k keys with the largest counts as of `now_ns`, largest first.
  std::vector<std::pair<Key, std::uint64_t>> Top(std::int64_t now_ns, std::size_t k) {
    Advance(now_ns);
    std::vector<std::pair<Key, std::uint64_t>> all;
    current_.AppendTo(all);
    previous_.AppendTo(all);
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (all.size() > k) {
      all.resize(k);
    }
    return all;
  }

 private:
  void Advance(std::int64_t now_ns) {
    const std::int64_t generation = now_ns / half_ns_;
    if (generation <= generation_) {
      return;
    }
    if (generation == generation_ + 1) {
      std::swap(current_, previous_);
      current_.Clear();
    } else {
      current_.Clear();
      previous_.Clear();
    }
    generation_ = generation;
  }

  SpaceSaving<Key> current_;
  SpaceSaving<Key> previous_;
  std::int64_t half_ns_;
  std::int64_t generation_ = INT64_MIN;
};

}  // namespace edgewatch
