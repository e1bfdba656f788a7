"""cc_fuzz_test: a libFuzzer target that is also a regression test.

The source defines LLVMFuzzerTestOneInput. In the normal build the target is a
cc_test that feeds it every file of its committed seed corpus
(<package>/testdata/fuzz/<name>/) through fuzz_corpus_main, so `bazel test //...`
replays the corpus (every past finding included). Under --config=fuzz (clang,
libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer) it links libFuzzer's
own main, to be run as
  bazel run --config=fuzz //huale/data:voc_xml_fuzzer -- -max_total_time=60 CORPUS_DIR
(.ci/run does this for every target tagged "fuzz").
"""

def cc_fuzz_test(name, srcs, deps = [], **kwargs):
    corpus = "testdata/fuzz/" + name
    native.cc_test(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//third_party:fuzz_build": [],
            "//conditions:default": ["//third_party:fuzz_corpus_main"],
        }),
        linkopts = select({
            "//third_party:fuzz_build": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        data = native.glob([corpus + "/**"]),
        args = [native.package_name() + "/" + corpus],
        tags = ["fuzz"],
        **kwargs
    )
