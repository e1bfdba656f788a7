"""A component is one .cc and one BUILD line (issue 11).

Components (models, losses, acquisition functions, evaluators, dataset formats)
register themselves with HUALE_REGISTER at static initialisation (see
huale/core/registry.h), so their libraries must be `alwayslink = True`. These
macros keep that, and the lists of components, in one place:

    load("//huale:component.bzl", "huale_component", "huale_component_family")

    huale_component(
        name = "eiou",
        family = "loss",
        srcs = ["eiou.cc"],
        hdrs = ["eiou.h"],
        deps = [":loss", ...],
    )
    ...
    # Last in the BUILD file: it sees only the components defined above it.
    huale_component_family(name = "all_losses", family = "loss")

huale_component_family defines `all_losses`, a cc_library over every
huale_component of the family in the package, and `all_losses_names.txt`, one
line `family name` per registered name. huale_component_set (in
//experiments:components) joins families into one library and one name list,
which run_cli_test compares with the driver binary's `--list`: a linker that
drops a registration, or a .cc that registers a name its BUILD line does not
declare, fails it.

`family` is the registry's kFamily with spaces as underscores ("loss",
"acquisition_function", "model", "evaluator", "dataset_format"), so the lists
match `--list`'s headings.
"""

# A huale_component's library carries one tag per registered name,
# "huale_component=<family>:<name>", which is how huale_component_family finds
# it among the package's rules.
_TAG = "huale_component="

def _check_token(what, value):
    if not value or " " in value or ":" in value or "'" in value:
        fail("huale_component: %s must be a non-empty word without spaces, ':' or quotes, found %r" %
             (what, value))

def huale_component(name, family, srcs, hdrs = [], deps = [], names = None, tags = [], **kwargs):
    """An alwayslink cc_library holding one or more registrations.

    Args:
      name: the target's name.
      family: the registry family, e.g. "loss" (see the file's comment).
      srcs: the .cc files; one of them ends with HUALE_REGISTER(...).
      hdrs: public headers, if other code uses the component directly.
      deps: as for cc_library.
      names: the names it registers, when not just `name` (faster_rcnn
        registers four models, huale_cascade registers "huale").
      tags: extra tags.
      **kwargs: passed on to cc_library (copts, visibility, ...).
    """
    _check_token("family", family)
    registered = names if names != None else [name]
    if not registered:
        fail("huale_component %s: names must not be empty" % name)
    for registered_name in registered:
        _check_token("a registered name", registered_name)
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps,
        tags = tags + ["%s%s:%s" % (_TAG, family, n) for n in registered],
        alwayslink = True,
        **kwargs
    )

def huale_component_family(name, family, **kwargs):
    """Every huale_component of `family` defined above it in this package.

    Defines the cc_library `name` depending on each of them and the file
    `<name>_names.txt` (target `<name>_names`), lines "family name", sorted.
    Call it at the end of the BUILD file.

    Args:
      name: the aggregate's name, e.g. "all_losses".
      family: as in huale_component.
      **kwargs: passed on to both rules (visibility, testonly, ...).
    """
    _check_token("family", family)
    members = {}
    lines = {}
    for rule_name, rule in native.existing_rules().items():
        for tag in rule.get("tags", []):
            if not tag.startswith(_TAG):
                continue
            tag_family, _, registered_name = tag[len(_TAG):].partition(":")
            if tag_family == family:
                members[":" + rule_name] = True
                lines["%s %s" % (family, registered_name)] = True
    if not members:
        fail("huale_component_family %s: no huale_component of family '%s' is defined above it" %
             (name, family))
    native.cc_library(
        name = name,
        deps = sorted(members.keys()),
        **kwargs
    )
    native.genrule(
        name = name + "_names",
        outs = [name + "_names.txt"],
        cmd = "printf '%%s\\n' %s >$@" % " ".join(["'%s'" % line for line in sorted(lines.keys())]),
        **kwargs
    )

def huale_component_set(name, families, **kwargs):
    """The components of several families: a library and `<name>.txt`.

    Args:
      name: the library's name; the joined list is `<name>.txt` (target
        `<name>_names`).
      families: huale_component_family labels written "//pkg:name".
      **kwargs: passed on to both rules.
    """
    for family in families:
        if ":" not in family:
            fail("huale_component_set %s: write %r as //package:name" % (name, family))
    native.cc_library(
        name = name,
        deps = families,
        **kwargs
    )
    native.genrule(
        name = name + "_names",
        srcs = [family + "_names.txt" for family in families],
        outs = [name + ".txt"],
        cmd = "LC_ALL=C sort $(SRCS) >$@",
        **kwargs
    )
