#!/bin/sh
# Debian's protoc, wrapped so Bazel can use it as --proto_compiler.
exec /usr/bin/protoc "$@"
