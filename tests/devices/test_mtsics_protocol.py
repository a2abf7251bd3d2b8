import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.mtsics import ScaleError, Tare, Weight, Zeroed, command, parse_line


@pytest.mark.parametrize(
    ("name", "wire"),
    [("S", b"S\r\n"), ("SI", b"SI\r\n"), ("SIR", b"SIR\r\n"), ("Z", b"Z\r\n"), ("T", b"T\r\n")],
)
def test_commands_are_crlf_framed(name: str, wire: bytes) -> None:
    assert command(name) == wire


def test_an_unknown_command_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown MT-SICS command 'X'"):
        command("X")


@pytest.mark.parametrize(
    ("line", "reading"),
    [
        ("S S     1234.5 g\r\n", Weight(1234.5, True)),
        (b"S S     1234.5 g\r\n", Weight(1234.5, True)),
        ("S D      812.0 g", Weight(812.0, False)),
        ("S S      -12.3 g", Weight(-12.3, True)),
        ("S S     1.2345 kg", Weight(1234.5, True)),
        ("S S      500 mg", Weight(0.5, True)),
        ("S S     1.000 lb", Weight(453.59237, True)),
        ("SI S     10.0 g", Weight(10.0, True)),
        ("T S      100.00 g", Tare(100.0, True)),
        ("TI D     99.5 g", Tare(99.5, False)),
        ("Z A", Zeroed(True)),
        ("ZI D", Zeroed(False)),
        # continuous output: SIR stream and scales that print weights by themselves
        ("     1234.5 g", Weight(1234.5, True)),
        ("1234.5g", Weight(1234.5, True)),
        ("ST,GS,+001234.5 g", Weight(1234.5, True)),
        ("US,NT,-000012.0 g", Weight(-12.0, False)),
        ("ST,GS,+0001.250kg", Weight(1250.0, True)),
    ],
)
def test_parses_weights_and_acknowledgements(line: str | bytes, reading) -> None:
    assert parse_line(line) == reading


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        ("S I", "I", "S: Command not executed"),
        ("S +", "+", "S: Overload"),
        ("S -", "-", "S: Underload"),
        ("Z I", "I", "Z: Command not executed"),
        ("T +", "+", "T: Overload"),
        ("ES", "ES", "Syntax error"),
        ("EL\r\n", "EL", "Logical error"),
        ("ET", "ET", "Transmission error"),
        ("OL,GS,+999999.9 g", "+", "Overload"),
        ("S S     12.0 furlong", "unit", "Unknown weight unit 'furlong'"),
        ("S S     abc g", "line", "Unreadable scale line"),
        ("S S     nan g", "line", "Unreadable scale line"),
        ("S X 1 g", "line", "Unreadable scale line"),
        ("S", "line", "Unreadable scale line"),
        ("", "line", "Unreadable scale line"),
        (b"\xff\xfe\x80", "line", "Unreadable scale line"),
        ("XX,GS,+1.0 g", "line", "Unreadable scale line"),
    ],
)
def test_refusals_and_garbage_are_scale_errors(line: str | bytes, code: str, message: str) -> None:
    reading = parse_line(line)
    assert isinstance(reading, ScaleError)
    assert reading.code == code
    assert reading.message.startswith(message)


@given(st.binary(max_size=80) | st.text(max_size=80))
def test_parse_line_never_raises(line: bytes | str) -> None:
    assert parse_line(line) is not None
