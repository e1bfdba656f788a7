"""LibTorch from the pinned PyPI `torch` wheel, and the CUDA toolkit, as Bazel repositories.

tools/setup.sh installs the wheel into /opt/huale/py (tools/requirements.txt).
`torch_wheel_repository` exposes its headers as real build inputs (each header is
an input of every action that includes it) under include/, without the wheel's
bundled google/protobuf headers, so Debian's protobuf stays the one compiled
against. The libraries are linked from the wheel's own folder with an absolute
RPATH: the wheel's libraries find their siblings (libgomp.so.1) through
$ORIGIN, which the loader does not resolve through Bazel's _solib symlinks.

`cuda_toolkit_repository` exposes /usr/local/cuda (headers, nvcc) for
--config=cuda; on a machine without the toolkit its targets fail with a message
when a CUDA build asks for them, and the CPU build never does.
"""

def _torch_wheel_impl(rctx):
    root = rctx.os.environ.get("HUALE_TORCH_DIR", rctx.attr.path)
    torch = rctx.path(root)
    if not torch.get_child("include").exists or not torch.get_child("lib").exists:
        fail("LibTorch not found at %s (the torch wheel's folder): run `bash tools/setup.sh`" % root)
    for entry in torch.get_child("include").readdir():
        if entry.basename == "google":  # protobuf headers: Debian's are used
            continue
        rctx.symlink(entry, "include/" + entry.basename)
    rctx.symlink(torch.get_child("lib"), "lib")
    rctx.symlink(torch.get_child("version.py"), "version.py")
    rctx.template("BUILD.bazel", rctx.attr.build_file, substitutions = {
        "%{lib_dir}": str(torch.get_child("lib")),
    })

torch_wheel_repository = repository_rule(
    implementation = _torch_wheel_impl,
    attrs = {
        "path": attr.string(mandatory = True),
        "build_file": attr.label(mandatory = True),
    },
    environ = ["HUALE_TORCH_DIR"],
    local = True,
)

def _cuda_toolkit_impl(rctx):
    root = rctx.os.environ.get("CUDA_HOME", rctx.attr.path)
    cuda = rctx.path(root)
    present = cuda.get_child("bin").get_child("nvcc").exists
    if present:
        rctx.symlink(cuda.get_child("include"), "include")
        # nvcc finds cicc, libdevice and its own headers relative to where it
        # lies: call it there, not through a symlink in Bazel's sandbox.
        rctx.file("nvcc.sh", "#!/bin/sh\nexec %s/bin/nvcc \"$@\"\n" % root, executable = True)
    rctx.template("BUILD.bazel", rctx.attr.build_file, substitutions = {
        "%{present}": "True" if present else "False",
        "%{root}": root,
    })

cuda_toolkit_repository = repository_rule(
    implementation = _cuda_toolkit_impl,
    attrs = {
        "path": attr.string(mandatory = True),
        "build_file": attr.label(mandatory = True),
    },
    environ = ["CUDA_HOME"],
    local = True,
)
