"""CUDA sources compiled with the toolkit's nvcc, for --config=cuda.

Bazel 4.2.3 has no CUDA rules, so each .cu becomes one genrule running nvcc with
LibTorch's and the toolkit's headers as declared inputs; the objects go into a
cc_library through `select`, so the CPU build never runs nvcc and a CUDA build
recompiles only these objects and the links.
"""

# Hopper (H100/H200) and Ampere machine code, plus Hopper PTX that newer GPUs
# compile at load time.
CUDA_ARCH_FLAGS = [
    "-gencode=arch=compute_80,code=sm_80",
    "-gencode=arch=compute_90,code=sm_90",
    "-gencode=arch=compute_90,code=compute_90",
]

def cuda_objects(name, srcs, hdrs = []):
    """One position-independent object per .cu of srcs; `name` is their filegroup.

    --fmad=false: no fused multiply-adds, so float expressions round as on the CPU.
    Tagged manual: built only when a --config=cuda target depends on them.
    """
    objects = []
    for src in srcs:
        stem = src[:-len(".cu")]
        out = stem + ".pic.o"
        native.genrule(
            name = name + "_" + stem.replace("/", "_"),
            srcs = [src] + hdrs + [
                "@cuda//:check",
                "@cuda//:header_files",
                "@libtorch//:header_files",
            ],
            outs = [out],
            tools = ["@cuda//:nvcc"],
            cmd = " ".join([
                "$(location @cuda//:nvcc)",
                "-c $(location %s)" % src,
                "-o $@",
                "-std=c++17 -O3 --fmad=false -w",
                "-Xcompiler=-fPIC -D_GLIBCXX_USE_CXX11_ABI=1",
                "-I. -isystem external/libtorch/include",
                "-isystem external/libtorch/include/torch/csrc/api/include",
                "-isystem external/cuda/include",
            ] + CUDA_ARCH_FLAGS),
            tags = ["manual"],
        )
        objects.append(out)
    native.filegroup(name = name, srcs = objects, tags = ["manual"])
