"""MT-SICS (Mettler Toledo Standard Interface Command Set), level 0, as pure functions.

Build commands with :func:`command` (``S``, ``SI``, ``SIR``, ``Z``, ``T``, ...; CRLF
framed) and read every line a scale sends with :func:`parse_line`: replies to those
commands, the ``SIR`` stream and scales that print weights continuously (bare
``"  1234.5 g"`` or ``"ST,GS,+001234.5 g"`` lines). Nothing raises: a line that cannot be
read is a :class:`ScaleError`.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMANDS = {
    "S": "Send stable weight",
    "SI": "Send weight immediately",
    "SIR": "Send weight immediately and repeat",
    "Z": "Zero when stable",
    "ZI": "Zero immediately",
    "T": "Tare when stable",
    "TI": "Tare immediately",
    "@": "Reset (cancels SIR)",
}
GRAMS_PER_UNIT = {
    "g": 1.0,
    "kg": 1000.0,
    "mg": 0.001,
    "lb": 453.59237,
    "oz": 28.349523125,
    "ct": 0.2,
}
ERRORS = {
    "ES": "Syntax error: the scale did not recognise the command",
    "ET": "Transmission error: the scale received a garbled command",
    "EL": "Logical error: the command cannot be executed now",
}
STATUS = {
    "I": "Command not executed (scale busy or no stable weight in time)",
    "+": "Overload: above the weighing range",
    "-": "Underload: below the weighing range",
    "L": "Logical error: parameter not allowed",
}
CONTINUOUS_STABILITY = {"ST": True, "US": False}


@dataclass(frozen=True)
class Weight:
    """A net weight in grams; ``stable`` is False for a dynamic (still moving) reading."""

    grams: float
    stable: bool


@dataclass(frozen=True)
class Tare:
    """The tare weight the scale stored after ``T`` / ``TI``."""

    grams: float
    stable: bool


@dataclass(frozen=True)
class Zeroed:
    """The scale set a new zero after ``Z`` / ``ZI``."""

    stable: bool


@dataclass(frozen=True)
class ScaleError:
    """A refused command or an unreadable line; ``code`` is ES/ET/EL, I, +, -, or ``line``."""

    code: str
    message: str


Reading = Weight | Tare | Zeroed | ScaleError


def command(name: str) -> bytes:
    """The bytes to send for an MT-SICS command, e.g. ``command("SI") == b"SI\\r\\n"``."""
    if name not in COMMANDS:
        raise ValueError(f"Unknown MT-SICS command {name!r}")
    return name.encode("ascii") + b"\r\n"


def parse_line(line: str | bytes) -> Reading:
    """Read one line from a scale (a reply, an ``SIR`` line or a continuous print line)."""
    if isinstance(line, bytes | bytearray):
        line = bytes(line).decode("ascii", "replace")
    text = line.strip()
    if text in ERRORS:
        return ScaleError(text, ERRORS[text])
    if "," in text:
        return _parse_continuous_print(text)
    tokens = text.split()
    if tokens and tokens[0] in ("S", "SI", "T", "TI", "Z", "ZI"):
        return _parse_reply(text, tokens)
    return _parse_value(text, tokens, stable=True)


def _parse_reply(text: str, tokens: list[str]) -> Reading:
    if len(tokens) < 2:
        return _unreadable(text)
    name, status = tokens[0], tokens[1]
    if status in STATUS:
        return ScaleError(status, f"{name}: {STATUS[status]}")
    if name in ("Z", "ZI") and status in ("A", "S", "D"):
        return Zeroed(stable=status != "D")
    if status not in ("S", "D"):
        return _unreadable(text)
    reading = _parse_value(text, tokens[2:], stable=status == "S")
    if isinstance(reading, Weight) and name in ("T", "TI"):
        return Tare(reading.grams, reading.stable)
    return reading


def _parse_value(text: str, tokens: list[str], stable: bool) -> Weight | ScaleError:
    if len(tokens) == 1 and tokens[0][-1:].isalpha():
        tokens = _split_unit(tokens[0])
    if len(tokens) != 2:
        return _unreadable(text)
    value, unit = tokens
    factor = GRAMS_PER_UNIT.get(unit.lower())
    if factor is None:
        return ScaleError("unit", f"Unknown weight unit {unit!r} in {text!r}")
    try:
        grams = float(value) * factor
    except ValueError:
        return _unreadable(text)
    if grams != grams or abs(grams) == float("inf"):
        return _unreadable(text)
    return Weight(round(grams, 6), stable)


def _split_unit(token: str) -> list[str]:
    split = len(token.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return [token[:split], token[split:]]


def _parse_continuous_print(text: str) -> Reading:
    """``ST,GS,+001234.5 g`` / ``US,NT,...`` / ``OL,GS,...`` (stable, unstable, overload)."""
    fields = [field.strip() for field in text.split(",")]
    if len(fields) != 3:
        return _unreadable(text)
    state, _kind, value = fields
    if state == "OL":
        return ScaleError("+", STATUS["+"])
    if state not in CONTINUOUS_STABILITY:
        return _unreadable(text)
    return _parse_value(text, value.split(), CONTINUOUS_STABILITY[state])


def _unreadable(text: str) -> ScaleError:
    shown = text if len(text) <= 40 else text[:40] + "..."
    return ScaleError("line", f"Unreadable scale line {shown!r}")
