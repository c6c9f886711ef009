// Scalar math shared by the CPU and CUDA kernels of vot-ops (header only).
// Every function here is the single definition of one official convention, so the
// CPU and CUDA kernels cannot drift apart.
#pragma once

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define VOT_HD __host__ __device__ __forceinline__
#else
#define VOT_HD inline
#endif

namespace vot_ops {

// ---------------------------------------------------------------- RoIAlign
// Geometry of one RoI in feature-map cells.
//  aligned=true : detectron2 / mmdet v2 half-pixel form, no minimum size.
//  aligned=false: torchvision / Caffe2 form, size clamped to >= 1.
//  legacy=true  : mmdetection v1.0rc0 (GlobalTrack): box end at (x2 + 1) * scale,
//                 size clamped to >= 0 (fmaxf(.., 0) in roi_align_kernel.cu).
template <typename T>
struct RoiGeometry {
  T start_h, start_w, bin_h, bin_w;
  int grid_h, grid_w;
  T count;
};

template <typename T>
VOT_HD RoiGeometry<T> roi_align_geometry(const T* roi, T spatial_scale, int64_t pooled_h,
                                         int64_t pooled_w, int64_t sampling_ratio,
                                         bool aligned, bool legacy) {
  RoiGeometry<T> g;
  const T offset = aligned ? T(0.5) : T(0);
  const T end_pad = legacy ? T(1) : T(0);
  g.start_w = roi[1] * spatial_scale - offset;
  g.start_h = roi[2] * spatial_scale - offset;
  T end_w = (roi[3] + end_pad) * spatial_scale - offset;
  T end_h = (roi[4] + end_pad) * spatial_scale - offset;
  T roi_w = end_w - g.start_w;
  T roi_h = end_h - g.start_h;
  if (legacy) {
    roi_w = roi_w > T(0) ? roi_w : T(0);
    roi_h = roi_h > T(0) ? roi_h : T(0);
  } else if (!aligned) {
    roi_w = roi_w > T(1) ? roi_w : T(1);
    roi_h = roi_h > T(1) ? roi_h : T(1);
  }
  g.bin_h = roi_h / T(pooled_h);
  g.bin_w = roi_w / T(pooled_w);
  int gh = sampling_ratio > 0 ? int(sampling_ratio) : int(ceil(roi_h / T(pooled_h)));
  int gw = sampling_ratio > 0 ? int(sampling_ratio) : int(ceil(roi_w / T(pooled_w)));
  g.grid_h = gh > 0 ? gh : 0;
  g.grid_w = gw > 0 ? gw : 0;
  int n = g.grid_h * g.grid_w;
  g.count = T(n > 1 ? n : 1);
  return g;
}

// Bilinear weights of one RoIAlign sample (torchvision == mmdet v1 == mmdet v2 rule):
// zero outside [-1, H] x [-1, W], negative coordinates clamped to 0, last row/column replicated.
template <typename T>
struct BilinearCorners {
  int64_t p1, p2, p3, p4;  // offsets in the H*W plane
  T w1, w2, w3, w4;
};

template <typename T>
VOT_HD BilinearCorners<T> roi_align_bilinear(int64_t height, int64_t width, T y, T x) {
  BilinearCorners<T> c{0, 0, 0, 0, T(0), T(0), T(0), T(0)};
  if (y < T(-1) || y > T(height) || x < T(-1) || x > T(width)) return c;
  if (y <= T(0)) y = T(0);
  if (x <= T(0)) x = T(0);
  int64_t y_low = int64_t(y), x_low = int64_t(x), y_high, x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = T(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = T(x_low);
  } else {
    x_high = x_low + 1;
  }
  T ly = y - T(y_low), lx = x - T(x_low);
  T hy = T(1) - ly, hx = T(1) - lx;
  c.p1 = y_low * width + x_low;
  c.p2 = y_low * width + x_high;
  c.p3 = y_high * width + x_low;
  c.p4 = y_high * width + x_high;
  c.w1 = hy * hx;
  c.w2 = hy * lx;
  c.w3 = ly * hx;
  c.w4 = ly * lx;
  return c;
}

// ---------------------------------------------------------------- DCNv2
// Bilinear sample of the official DCNv2 kernels: the whole sample is zero unless
// -1 < y < H and -1 < x < W; inside, corners outside the map contribute zero.
// Corners are returned with weight 0 (and offset 0) when outside.
template <typename T>
VOT_HD BilinearCorners<T> dcn_bilinear(int64_t height, int64_t width, T y, T x) {
  BilinearCorners<T> c{0, 0, 0, 0, T(0), T(0), T(0), T(0)};
  if (!(y > T(-1) && x > T(-1) && y < T(height) && x < T(width))) return c;
  int64_t y_low = int64_t(floor(y)), x_low = int64_t(floor(x));
  int64_t y_high = y_low + 1, x_high = x_low + 1;
  T ly = y - T(y_low), lx = x - T(x_low);
  T hy = T(1) - ly, hx = T(1) - lx;
  bool top = y_low >= 0, bottom = y_high <= height - 1;
  bool left = x_low >= 0, right = x_high <= width - 1;
  if (top && left) { c.p1 = y_low * width + x_low; c.w1 = hy * hx; }
  if (top && right) { c.p2 = y_low * width + x_high; c.w2 = hy * lx; }
  if (bottom && left) { c.p3 = y_high * width + x_low; c.w3 = ly * hx; }
  if (bottom && right) { c.p4 = y_high * width + x_high; c.w4 = ly * lx; }
  return c;
}

// d(sample)/dy and d(sample)/dx of dcn_bilinear given the four corner values
// (already zero where the corner is outside the map).
template <typename T>
VOT_HD void dcn_bilinear_coord_grad(T y, T x, T v1, T v2, T v3, T v4, T* dy, T* dx) {
  T ly = y - floor(y), lx = x - floor(x);
  T hy = T(1) - ly, hx = T(1) - lx;
  *dy = -hx * v1 - lx * v2 + hx * v3 + lx * v4;
  *dx = -hy * v1 + hy * v2 - ly * v3 + ly * v4;
}

// The four corner values around (y, x) with zero for corners outside the map; returns false
// when the whole sample is outside (-1, H) x (-1, W) (then the values are all zero).
template <typename T, typename S>
VOT_HD bool dcn_corner_values(const S* plane, int64_t height, int64_t width, T y, T x, T* v) {
  v[0] = v[1] = v[2] = v[3] = T(0);
  if (!(y > T(-1) && x > T(-1) && y < T(height) && x < T(width))) return false;
  int64_t y_low = int64_t(floor(y)), x_low = int64_t(floor(x));
  int64_t y_high = y_low + 1, x_high = x_low + 1;
  bool top = y_low >= 0, bottom = y_high <= height - 1;
  bool left = x_low >= 0, right = x_high <= width - 1;
  if (top && left) v[0] = T(plane[y_low * width + x_low]);
  if (top && right) v[1] = T(plane[y_low * width + x_high]);
  if (bottom && left) v[2] = T(plane[y_high * width + x_low]);
  if (bottom && right) v[3] = T(plane[y_high * width + x_high]);
  return true;
}

// ---------------------------------------------------------------- PrRoIPool
// The bilinear field is f(y, x) = sum_ij F[i, j] tri(y - i) tri(x - j), tri(u) = max(0, 1 - |u|),
// zero outside the map. prroi_primitive is the primitive of tri (0 at -inf, 1 at +inf).
template <typename T>
VOT_HD T prroi_tri(T u) {
  T a = u < T(0) ? -u : u;
  return a < T(1) ? T(1) - a : T(0);
}

template <typename T>
VOT_HD T prroi_primitive(T u) {
  if (u <= T(-1)) return T(0);
  if (u <= T(0)) return T(0.5) * (u + T(1)) * (u + T(1));
  if (u <= T(1)) return T(0.5) + u - T(0.5) * u * u;
  return T(1);
}

// Integral over [a, b] of tri(u - i): weight of row/column i in a bin spanning [a, b].
template <typename T>
VOT_HD T prroi_weight(T a, T b, int64_t i) {
  return prroi_primitive(b - T(i)) - prroi_primitive(a - T(i));
}

// Rows/columns i with a non-zero weight for [a, b], clipped to [0, size - 1].
VOT_HD void prroi_index_range(double a, double b, int64_t size, int64_t* lo, int64_t* hi) {
  int64_t l = int64_t(floor(a));  // i > a - 1
  int64_t h = int64_t(ceil(b));   // i < b + 1
  *lo = l < 0 ? 0 : l;
  *hi = h > size - 1 ? size - 1 : h;
}

}  // namespace vot_ops
