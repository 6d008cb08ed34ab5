#include "lane_pricing.hpp"

#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SNAPFLOW_LANES_AVX2 1
#endif

namespace snapflow::transport {
namespace {

// The eight target potentials of slot d: their in-nodes' where a target is split.
const int64_t* target_potentials(const int64_t* potential, const uint8_t* split, int32_t first,
                                 int32_t in_base, bool any_split, int64_t (&patched)[kLanes]) {
  if (!any_split) return potential + first;
  uint64_t flags;
  std::memcpy(&flags, split + first, sizeof flags);
  if (flags == 0) return potential + first;
  for (int k = 0; k < kLanes; ++k)
    patched[k] = potential[first + k + (split[first + k] ? in_base : 0)];
  return patched;
}

}  // namespace

void price_lane_block_scalar(const LocalArcs& arcs, int32_t c, const int64_t* potential,
                             const uint8_t* split, int32_t in_base, bool any_split,
                             LaneMinima& out) {
  const int K = arcs.slots;
  const uint16_t* ties = arcs.tie_by_block.data() + static_cast<size_t>(c) * K;
  for (int k = 0; k < kLanes; ++k) out.rc[k] = INT64_MAX;
  int64_t patched[kLanes];
  for (int d = 0; d < K; ++d) {
    const int64_t* target =
        target_potentials(potential, split, arcs.target(c, d), in_base, any_split, patched);
    const uint16_t* tie = ties + d * kLanes;
    for (int k = 0; k < kLanes; ++k) {
      const int64_t rc = arcs.direction_cost[d] + tie[k] + potential[c + k] - target[k];
      if (rc < out.rc[k]) {
        out.rc[k] = rc;
        out.slot[k] = d;
      }
    }
  }
}

#ifdef SNAPFLOW_LANES_AVX2
namespace {

__attribute__((target("avx2"))) inline __m256i load(const int64_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

__attribute__((target("avx2"))) void price_avx2(const LocalArcs& arcs, int32_t c,
                                                const int64_t* potential, const uint8_t* split,
                                                int32_t in_base, bool any_split, LaneMinima& out) {
  const int K = arcs.slots;
  const uint16_t* block_ties = arcs.tie_by_block.data() + static_cast<size_t>(c) * K;
  const int32_t* targets = arcs.neighbour.data() + static_cast<size_t>(c) * K;
  const __m256i source_lo = load(potential + c), source_hi = load(potential + c + 4);
  __m256i best_lo = _mm256_set1_epi64x(INT64_MAX), best_hi = best_lo;
  __m256i slot_lo = _mm256_setzero_si256(), slot_hi = slot_lo;
  int64_t patched[kLanes];
  for (int d = 0; d < K; ++d) {
    const int64_t* target =
        target_potentials(potential, split, targets[d], in_base, any_split, patched);
    const __m128i ties = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block_ties + d * kLanes));
    const __m256i cost = _mm256_set1_epi64x(arcs.direction_cost[d]);
    const __m256i slot = _mm256_set1_epi64x(d);
    const __m256i rc_lo = _mm256_sub_epi64(
        _mm256_add_epi64(_mm256_add_epi64(cost, _mm256_cvtepu16_epi64(ties)), source_lo),
        load(target));
    const __m256i rc_hi = _mm256_sub_epi64(
        _mm256_add_epi64(_mm256_add_epi64(cost, _mm256_cvtepu16_epi64(_mm_srli_si128(ties, 8))),
                         source_hi),
        load(target + 4));
    // Strictly smaller only: the first slot keeps a tie.
    const __m256i lower_lo = _mm256_cmpgt_epi64(best_lo, rc_lo);
    const __m256i lower_hi = _mm256_cmpgt_epi64(best_hi, rc_hi);
    best_lo = _mm256_blendv_epi8(best_lo, rc_lo, lower_lo);
    best_hi = _mm256_blendv_epi8(best_hi, rc_hi, lower_hi);
    slot_lo = _mm256_blendv_epi8(slot_lo, slot, lower_lo);
    slot_hi = _mm256_blendv_epi8(slot_hi, slot, lower_hi);
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.rc), best_lo);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.rc + 4), best_hi);
  alignas(32) int64_t slots[kLanes];
  _mm256_store_si256(reinterpret_cast<__m256i*>(slots), slot_lo);
  _mm256_store_si256(reinterpret_cast<__m256i*>(slots + 4), slot_hi);
  for (int k = 0; k < kLanes; ++k) out.slot[k] = static_cast<int32_t>(slots[k]);
}

}  // namespace
#endif

bool price_lane_block_avx2(const LocalArcs& arcs, int32_t c, const int64_t* potential,
                           const uint8_t* split, int32_t in_base, bool any_split, LaneMinima& out) {
#ifdef SNAPFLOW_LANES_AVX2
  static const bool available = __builtin_cpu_supports("avx2");
  if (!available) return false;
  price_avx2(arcs, c, potential, split, in_base, any_split, out);
  return true;
#else
  (void)arcs, (void)c, (void)potential, (void)split, (void)in_base, (void)any_split, (void)out;
  return false;
#endif
}

void price_lane_block(const LocalArcs& arcs, int32_t c, const int64_t* potential,
                      const uint8_t* split, int32_t in_base, bool any_split, LaneMinima& out) {
  if (!price_lane_block_avx2(arcs, c, potential, split, in_base, any_split, out))
    price_lane_block_scalar(arcs, c, potential, split, in_base, any_split, out);
}

}  // namespace snapflow::transport
