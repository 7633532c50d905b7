#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace edgewatch {

// One key of a Space-Saving summary: its count may be over-estimated by at most `error` (what it
// inherited from the key it evicted), never under-estimated.
template <typename Key>
struct Counted {
  Key key{};
  std::uint64_t count = 0;
  std::uint64_t error = 0;
  // What the key surely had: what it was counted since it entered the table.
  std::uint64_t guaranteed() const { return count - error; }
};

// Heavy hitters with fixed memory: the Space-Saving algorithm (Metwally, Agrawal, El Abbadi,
// 2005). Holds at most `capacity` keys; a new key evicts the smallest and inherits its count as
// its error, so every key's true count lies in [count - error, count], and a key not held had at
// most MinCount(). Under a spray of distinct keys each held key's count is almost all error:
// report guaranteed() counts, never count, or innocent keys look like heavy hitters.
// Add() never allocates. Not thread-safe.
template <typename Key>
class SpaceSaving {
 public:
  explicit SpaceSaving(std::size_t capacity) : entries_(capacity) {}

  void Add(const Key& key, std::uint64_t weight) {
    // Runs of one key (a per-site log, one flooder) skip the scan.
    if (last_ < entries_.size() && entries_[last_].used && entries_[last_].c.key == key) {
      entries_[last_].c.count += weight;
      return;
    }
    std::size_t smallest = entries_.size();
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      if (e.used && e.c.key == key) {
        e.c.count += weight;
        last_ = i;
        return;
      }
      if (!e.used) {
        e = Entry{{key, weight, 0}, true};
        last_ = i;
        return;
      }
      if (smallest == entries_.size() || e.c.count < entries_[smallest].c.count) {
        smallest = i;
      }
    }
    if (smallest != entries_.size()) {
      const std::uint64_t inherited = entries_[smallest].c.count;
      entries_[smallest] = Entry{{key, inherited + weight, inherited}, true};
      last_ = smallest;
      ++replacements_;
    }
  }

  // Keys that took a full table's smallest entry: the summary's evictions, ever.
  std::uint64_t replacements() const { return replacements_; }

  void Clear() {
    for (auto& e : entries_) {
      e.used = false;
    }
    replacements_ = 0;
  }

  // The most a key not held can have had: the smallest count once the table is full, else 0
  // (every key seen is held, exactly).
  std::uint64_t MinCount() const {
    std::uint64_t least = 0;
    for (const auto& e : entries_) {
      if (!e.used) {
        return 0;
      }
      least = least == 0 ? e.c.count : std::min(least, e.c.count);
    }
    return least;
  }

  // Adds every held key to `out`, merging equal keys (counts and errors add up).
  void AppendTo(std::vector<Counted<Key>>& out) const {
    for (const auto& e : entries_) {
      if (!e.used) {
        continue;
      }
      auto it =
          std::find_if(out.begin(), out.end(), [&](const auto& c) { return c.key == e.c.key; });
      if (it != out.end()) {
        it->count += e.c.count;
        it->error += e.c.error;
      } else {
        out.push_back(e.c);
      }
    }
  }

 private:
  struct Entry {
    Counted<Key> c;
    bool used = false;
  };
  std::vector<Entry> entries_;
  std::size_t last_ = 0;  // the entry the last Add() went to
  std::uint64_t replacements_ = 0;
};

// What a top-K list can honestly say: keys with the count each surely had, largest first (keys
// that surely had nothing are left out), and how far any count may be off.
template <typename Key>
struct TopList {
  std::vector<std::pair<Key, std::uint64_t>> entries;  // guaranteed counts, all > 0
  // A listed key's true count is at most its entry plus this; a key not listed had at most this.
  // 0: the list is exact.
  std::uint64_t error_bound = 0;
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

  // Keys that evicted another for room, since construction.
  std::uint64_t replacements() const { return replacements_before_ + current_.replacements(); }

  // The k keys with the largest guaranteed counts as of `now_ns`.
  TopList<Key> Top(std::int64_t now_ns, std::size_t k) {
    Advance(now_ns);
    std::vector<Counted<Key>> all;
    current_.AppendTo(all);
    previous_.AppendTo(all);
    std::erase_if(all, [](const Counted<Key>& c) { return c.guaranteed() == 0; });
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.guaranteed() != b.guaranteed() ? a.guaranteed() > b.guaranteed() : a.key < b.key;
    });
    TopList<Key> top;
    // Each half's error is at most its smallest count (errors are inherited smallest counts,
    // and the smallest count only grows).
    top.error_bound = current_.MinCount() + previous_.MinCount();
    for (std::size_t i = 0; i < all.size() && i < k; ++i) {
      top.entries.emplace_back(all[i].key, all[i].guaranteed());
    }
    return top;
  }

 private:
  void Advance(std::int64_t now_ns) {
    const std::int64_t generation = now_ns / half_ns_;
    if (generation <= generation_) {
      return;
    }
    // Only the current half ever takes keys: its replacements are kept before it is reused.
    replacements_before_ += current_.replacements();
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
  std::uint64_t replacements_before_ = 0;  // of the halves cleared so far
  std::int64_t half_ns_;
  std::int64_t generation_ = INT64_MIN;
};

}  // namespace edgewatch
