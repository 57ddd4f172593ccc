#!/usr/bin/env python3
"""Checks compose files the way Docker Compose v2 reads them, where Compose v2 itself cannot be installed.

Compose v2 loads files with compose-go (loader/loader.go, loadYamlFile), one file at a time:
  1. parse the YAML (go-yaml: YAML 1.2 booleans, duplicate keys and non-string keys rejected);
  2. interpolate every string value (keys are left alone): $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
     ${VAR:+alt}, ${VAR+alt}, ${VAR:?error}, ${VAR?error}; then cast the strings of a fixed set of paths
     (read_only, healthcheck.retries, networks.*.internal, ...) to booleans and numbers;
  3. merge the file onto the files before it, and validate the merged model against compose-spec.json.
So the first file is validated on its own and each later file as merged onto the ones before it. This script
does the same with Debian's python3-yaml and python3-jsonschema (docker-compose v1's own dependencies). It does
not model compose-go's canonical rewrite between files, its per-path merge rules (sequences here are appended
without exact duplicates; mappings merge; anything else is replaced), `!reset`/`!override`, `include` or
`extends`. The schema and its licence: SOURCE.md beside this file.

  validate.py --schema compose-spec.json [--env NAME=VALUE ...] FILE [FILE ...]      (FILE "-": standard input)

Only the --env variables are set: the caller's environment is ignored, so a run is the same everywhere. Prints
every problem with its file and JSON path and exits 1 on any; prints one "valid:" line per file and exits 0 else.
"""
import argparse
import json
import re
import sys

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
import yaml


class ComposeError(Exception):
    """A file that Compose v2 would refuse before or instead of schema validation."""


# --- 1. YAML as go-yaml reads it -------------------------------------------------------------------------------

class GoYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader with go-yaml's plain-scalar rules: only true/false are booleans (`yes`, `on`, `no` and
    `off` are strings, where PyYAML's YAML 1.1 makes them booleans), no sexagesimal numbers, dates stay strings."""


GoYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
GoYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# Candidates only: go_number decides, and leaves anything go-yaml would not read as a number a string.
GoYamlLoader.add_implicit_resolver(
    "!go-number", re.compile(r"^(?:[-+]?[0-9.][0-9a-zA-Z_.+-]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))

GO_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


def go_number(loader, node):
    """A plain scalar as go-yaml resolves it: strconv.ParseInt(s, 0, 64) (0x, 0o, 0b and a leading-0 octal,
    underscores dropped), then a YAML-style float, else the string itself."""
    text = loader.construct_scalar(node)
    special = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
    if text.lower() in special:
        return special[text.lower()]
    plain = text.replace("_", "")
    try:
        if re.fullmatch(r"[-+]?0[0-7]+", plain):
            number = int(plain, 8)
        else:
            number = int(plain, 0)
        if -2**63 <= number < 2**64:
            return number
    except ValueError:
        pass
    if GO_FLOAT.match(plain):
        return float(plain)
    return text


def mapping_without_duplicates(loader, node, deep=False):
    """go-yaml refuses a mapping that names a key twice ("mapping key already defined"); PyYAML keeps the last."""
    seen = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise ComposeError(f"mapping key {key_node.value!r} already defined at line {seen[key] + 1}"
                                   f" (again at line {key_node.start_mark.line + 1})")
            seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


GoYamlLoader.add_constructor("!go-number", go_number)
GoYamlLoader.construct_mapping = mapping_without_duplicates


def json_path(parts):
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def require_string_keys(value, path=()):
    """compose-go's convertToStringKeysRecursive: a key that YAML reads as a number, boolean or null is an error."""
    if isinstance(value, dict):
        for key, entry in value.items():
            if not isinstance(key, str):
                raise ComposeError(f"{json_path(path)}: non-string key {key!r}")
            require_string_keys(entry, path + (key,))
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            require_string_keys(entry, path + (index,))


def load_documents(text):
    """Every YAML document of a file, as compose-go reads them (each one is merged in turn)."""
    documents = [document for document in yaml.load_all(text, Loader=GoYamlLoader) if document is not None]
    for document in documents:
        if not isinstance(document, dict):
            raise ComposeError("top-level object must be a mapping")
        require_string_keys(document)
    return documents


# --- 2. Interpolation as compose-go's template package does it -------------------------------------------------

VARIABLE_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
# Longest first, so ":-" is not read as "-" after a name ending in ":".
OPERATORS = (":-", ":+", ":?", "-", "+", "?")


def closing_brace(text, start):
    """Index of the "}" that closes the "{" at start, counting nested ${...} (go: getFirstBraceClosingIndex)."""
    depth = 0
    index = start
    while index < len(text):
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        if text[index] == "{":
            depth += 1
            index += 1
        index += 1
    return -1


def substitute(text, variables, where):
    result = []
    index = 0
    while index < len(text):
        if text[index] != "$":
            result.append(text[index])
            index += 1
            continue
        following = text[index + 1:index + 2]
        named = VARIABLE_NAME.match(text, index + 1)
        if following == "$":
            result.append("$")
            index += 2
        elif named:
            result.append(variables.get(named.group(), ""))
            index = named.end()
        elif following == "{":
            end = closing_brace(text, index + 1)
            if end < 0:
                raise ComposeError(f"invalid interpolation format for {where}: {text!r}")
            result.append(braced(text[index + 2:end], variables, where, text))
            index = end + 1
        else:
            result.append("$")
            index += 1
    return "".join(result)


def braced(expression, variables, where, template):
    """${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:+alt}, ${NAME+alt}, ${NAME:?error}, ${NAME?error}."""
    name = VARIABLE_NAME.match(expression)
    if not name:
        raise ComposeError(f"invalid interpolation format for {where}: {template!r}")
    rest = expression[name.end():]
    value = variables.get(name.group())
    if rest == "":
        return value or ""
    operator = next((candidate for candidate in OPERATORS if rest.startswith(candidate)), None)
    if operator is None:
        raise ComposeError(f"invalid interpolation format for {where}: {template!r}")
    argument = rest[len(operator):]
    when_empty_too = operator.startswith(":")
    present = value is not None and (value != "" or not when_empty_too)
    if operator.endswith("-"):
        return value if present else substitute(argument, variables, where)
    if operator.endswith("+"):
        return substitute(argument, variables, where) if present else (value or "")
    if not present:
        raise ComposeError(f"{where}: required variable {name.group()} is missing a value: "
                           f"{substitute(argument, variables, where)}")
    return value


def to_boolean(text):
    lowered = text.lower()
    if lowered in ("true", "y", "yes", "on"):
        return True
    if lowered in ("false", "n", "no", "off"):
        return False
    raise ValueError(f"invalid boolean: {text}")


def to_integer(text):
    if not re.fullmatch(r"[-+]?[0-9]+", text) or not -2**63 <= int(text) < 2**63:
        raise ValueError(f"invalid integer: {text}")
    return int(text)


def to_float(text):
    if not re.fullmatch(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?(?i:inf|infinity|nan)", text):
        raise ValueError(f"invalid float: {text}")
    return float(text)


# compose-go's interpolateTypeCastMapping (loader/interpolate.go): after interpolation, every string at one of
# these paths is cast, whether or not it held a variable. "*" is any key or list item, "[]" a list item.
CASTS = [(tuple(pattern.split(".")), cast) for pattern, cast in [
    *[(f"services.*.{key}", to_integer) for key in (
        "cpu_count", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares",
        "deploy.replicas", "deploy.update_config.parallelism", "deploy.rollback_config.parallelism",
        "deploy.restart_policy.max_attempts", "deploy.placement.max_replicas_per_node", "healthcheck.retries",
        "oom_score_adj", "pids_limit", "ports.[].target", "scale", "ulimits.*", "ulimits.*.hard",
        "ulimits.*.soft")],
    *[(f"services.*.{key}", to_float) for key in (
        "cpu_percent", "cpus", "deploy.update_config.max_failure_ratio", "deploy.rollback_config.max_failure_ratio")],
    *[(f"services.*.{key}", to_boolean) for key in (
        "init", "depends_on.*.required", "depends_on.*.restart", "healthcheck.disable", "oom_kill_disable",
        "privileged", "read_only", "stdin_open", "tty", "volumes.[].read_only", "volumes.[].volume.nocopy")],
    *[(f"networks.*.{key}", to_boolean) for key in (
        "external", "internal", "attachable", "enable_ipv4", "enable_ipv6")],
    *[(f"{section}.*.external", to_boolean) for section in ("volumes", "secrets", "configs")],
]]


def cast_for(path):
    keys = tuple("[]" if isinstance(part, int) else part for part in path)
    for pattern, cast in CASTS:
        if len(pattern) == len(keys) and all(want in ("*", key) for want, key in zip(pattern, keys)):
            return cast
    return None


def interpolate(value, variables, path=()):
    if isinstance(value, dict):
        return {key: interpolate(entry, variables, path + (key,)) for key, entry in value.items()}
    if isinstance(value, list):
        return [interpolate(entry, variables, path + (index,)) for index, entry in enumerate(value)]
    if not isinstance(value, str):
        return value
    text = substitute(value, variables, json_path(path))
    cast = cast_for(path)
    if cast is None:
        return text
    try:
        return cast(text)
    except ValueError as error:
        raise ComposeError(f"{json_path(path)}: failed to cast to expected type: {error}") from None


# --- 3. Merge, then validate -----------------------------------------------------------------------------------

REPLACED_WHOLE = {("services", "*", "command"), ("services", "*", "entrypoint"), ("services", "*", "healthcheck", "test")}


def merge(base, override, path=()):
    """A later file onto the earlier ones: mappings merge key by key, sequences are appended (without exact
    duplicates, as compose-go's unicity check leaves them), anything else is replaced."""
    if override is None:
        return base
    if any(len(pattern) == len(path) and all(want in ("*", key) for want, key in zip(pattern, path))
           for pattern in REPLACED_WHOLE):
        return override
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, entry in override.items():
            merged[key] = merge(base[key], entry, path + (key,)) if key in base else entry
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return base + [entry for entry in override if entry not in base]
    return override


def schema_pointers(schema, pointer="#"):
    """Where each sub-schema sits in compose-spec.json: jsonschema's own schema path skips over "$ref", so it
    would name the place that refers to a rule instead of the rule."""
    pointers = {}
    if isinstance(schema, dict):
        pointers[id(schema)] = pointer
        for key, entry in schema.items():
            pointers.update(schema_pointers(entry, f"{pointer}/{key}"))
    elif isinstance(schema, list):
        for index, entry in enumerate(schema):
            pointers.update(schema_pointers(entry, f"{pointer}/{index}"))
    return pointers


def describe(error, pointers):
    message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
    rule = f"{pointers.get(id(error.schema), '?')}/{error.validator}"
    line = f"{json_path(error.absolute_path)}: {message} (schema rule {rule})"
    if error.context:
        closest = jsonschema.exceptions.best_match(error.context)
        line += f"\n    closest: {json_path(closest.absolute_path)}: {closest.message[:300]}"
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--schema", required=True, help="compose-spec.json")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a variable that is set")
    parser.add_argument("files", nargs="+", metavar="FILE")
    arguments = parser.parse_args()
    variables = dict(assignment.split("=", 1) for assignment in arguments.env)

    with open(arguments.schema, encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    # The draft the schema names (compose-go's schema: 2020-12), never a silent default.
    validator_class = jsonschema.validators.validator_for(schema, default=None)
    if validator_class is None:
        sys.exit(f"this python3-jsonschema does not know the schema's draft {schema.get('$schema')}: use a newer one")
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    pointers = schema_pointers(schema)

    model = {}
    problems = 0
    merged_names = []
    for name in arguments.files:
        label = "<stdin>" if name == "-" else name
        merged_names.append(label)
        what = label if len(merged_names) == 1 else f"{label} (merged onto {' + '.join(merged_names[:-1])})"
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as compose_file:
                    text = compose_file.read()
            for document in load_documents(text):
                model = merge(model, interpolate(document, variables))
        except (ComposeError, yaml.YAMLError) as error:
            print(f"invalid: {what}: {error}")
            problems += 1
            continue
        errors = sorted(validator.iter_errors(model), key=lambda error: list(map(str, error.absolute_path)))
        for error in errors:
            print(f"invalid: {what}: {describe(error, pointers)}")
        problems += len(errors)
        if not errors:
            print(f"valid: {what}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
