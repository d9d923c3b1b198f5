# SPDX-License-Identifier: MIT
"""The scenario language: tokenizing and parsing .scn files into plain records.

A scenario is a list of lines. Declarations start with a keyword (capture, host,
nat, call, stream, rtcp, expect); timed lines start with a time or a time range
("12.5" or "10..15"), then a subject (a call, stream, rtcp or host name) and a verb.
Words containing "=" are options (key=value, value quoted with " or ' if it has
spaces); other words after the fixed positions are flags (option = True).
See tests/scenarios/README.md for the full reference.
"""
import shlex
from decimal import Decimal, InvalidOperation

NS = 1_000_000_000

DECLARATIONS = ("capture", "host", "nat", "call", "stream", "rtcp", "expect")

# options that may be given more than once; their value is a list
REPEATABLE = {"header"}


class ScenarioError(Exception):
    """A problem in a scenario file, with its line number."""

    def __init__(self, line, message):
        super().__init__("line %s: %s" % (line, message) if line else message)
        self.line = line


class Line:
    """One parsed line: kind (a declaration keyword or "event"), positional words, options."""

    def __init__(self, number, text, kind, words, opts, t0=None, t1=None):
        self.number = number
        self.text = text
        self.kind = kind
        self.words = words
        self.opts = opts
        self.t0 = t0  # event time in ns (events only)
        self.t1 = t1  # end of a time range in ns, or None

    def error(self, message):
        return ScenarioError(self.number, message)

    def __repr__(self):
        return "Line(%d, %r)" % (self.number, self.text)


def parse_seconds(text, line=None, default_unit="s"):
    """'1.5' / '1.5s' / '40ms' / '200us' -> integer nanoseconds (exact, via Decimal)."""
    s = str(text).strip()
    unit = default_unit
    for suffix in ("ms", "us", "s"):
        if s.endswith(suffix):
            unit, s = suffix, s[:-len(suffix)]
            break
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ScenarioError(line, "not a duration: %r" % text) from None
    scale = {"s": NS, "ms": NS // 1000, "us": 1000}[unit]
    return int(value * scale)


def parse_time_field(text, line=None):
    """'12' -> (12 s, None); '10..15' -> (10 s, 15 s), both in ns."""
    if ".." in text:
        a, b = text.split("..", 1)
        t0, t1 = parse_seconds(a, line), parse_seconds(b, line)
        if t1 < t0:
            raise ScenarioError(line, "time range ends before it starts: %s" % text)
        return t0, t1
    return parse_seconds(text, line), None


def parse_percent(text, line=None):
    """'5%' or '0.05' -> 0.05."""
    s = str(text)
    try:
        if s.endswith("%"):
            return float(Decimal(s[:-1]) / 100)
        return float(Decimal(s))
    except InvalidOperation:
        raise ScenarioError(line, "not a percentage: %r" % text) from None


def parse_int(text, line=None):
    """Decimal or 0x-prefixed hexadecimal integer."""
    try:
        return int(str(text), 0)
    except ValueError:
        raise ScenarioError(line, "not an integer: %r" % text) from None


def parse_int_range(text, line=None):
    """'3..8' -> (3, 8); '5' -> (5, 5)."""
    s = str(text)
    if ".." in s:
        a, b = s.split("..", 1)
        return parse_int(a, line), parse_int(b, line)
    n = parse_int(s, line)
    return n, n


def _looks_like_time(word):
    head = word.split("..", 1)[0]
    return bool(head) and (head[0].isdigit() or head[0] == ".")


def tokenize(number, text):
    """Split one line into words (shell-like quoting, '#' starts a comment)."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError as e:
        raise ScenarioError(number, "cannot split line (%s)" % e) from None


def split_options(number, words):
    """Separate key=value options from the other words. Returns (words, opts)."""
    rest, opts = [], {}
    for w in words:
        if "=" in w and not w.startswith("="):
            key, value = w.split("=", 1)
            if key in REPEATABLE:
                opts.setdefault(key, []).append(value)
            elif key in opts:
                raise ScenarioError(number, "option %s given twice" % key)
            else:
                opts[key] = value
        else:
            rest.append(w)
    return rest, opts


def parse_lines(text):
    """Parse scenario text into a list of Line records (comments and blank lines dropped)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        words = tokenize(number, raw)
        if not words:
            continue
        words, opts = split_options(number, words)
        if not words:
            raise ScenarioError(number, "a line of options only")
        head = words[0]
        if head in DECLARATIONS:
            lines.append(Line(number, raw.strip(), head, words[1:], opts))
        elif _looks_like_time(head):
            t0, t1 = parse_time_field(head, number)
            if len(words) < 3:
                raise ScenarioError(number, "a timed line needs a subject and a verb: TIME SUBJECT VERB")
            lines.append(Line(number, raw.strip(), "event", words[1:], opts, t0, t1))
        else:
            raise ScenarioError(number, "unknown keyword %r (expected one of %s, or a time)"
                                % (head, ", ".join(DECLARATIONS)))
    return lines


def take_flags(line, words, allowed):
    """Turn trailing bare words into options set to True; reject unknown ones."""
    for w in words:
        if w not in allowed:
            raise line.error("unknown word %r (flags allowed here: %s)"
                             % (w, ", ".join(sorted(allowed)) or "none"))
        line.opts[w] = True


def check_options(line, allowed):
    """Fail on options this line kind does not know (catches typos early)."""
    for key in line.opts:
        if key not in allowed:
            raise line.error("unknown option %r (known: %s)" % (key, ", ".join(sorted(allowed))))
