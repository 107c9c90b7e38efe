#include <algorithm>

#include "detect/recognizer.h"

namespace gwanmun::detect {

std::span<const Hit> ScanView::HitsStartingIn(size_t from, size_t to) const {
  auto lo = std::lower_bound(hits_.begin(), hits_.end(), from, [](const Hit& h, size_t v) { return h.start < v; });
  auto hi = std::lower_bound(lo, hits_.end(), to, [](const Hit& h, size_t v) { return h.start < v; });
  return {lo, hi};
}

bool ScanView::HasHitIn(uint16_t category, size_t from, size_t to) const {
  for (const Hit& h : HitsStartingIn(from, to)) {
    if (h.category == category && h.end <= to) return true;
  }
  return false;
}

bool ScanView::HasHitNear(uint16_t category, size_t start, size_t end, size_t before, size_t after) const {
  size_t from = start > before ? start - before : 0;
  size_t to = end + after;
  // A hit overlapping the window may start up to 64 bytes before it.
  size_t scan_from = from > 64 ? from - 64 : 0;
  for (const Hit& h : HitsStartingIn(scan_from, to)) {
    if (h.category == category && h.end > from && h.start < to) return true;
  }
  return false;
}

}  // namespace gwanmun::detect
