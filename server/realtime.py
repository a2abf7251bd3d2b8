"""The Socket.IO server, created unbound and attached to the app in create_app."""

from flask_socketio import SocketIO
from socketio.packet import Packet


class TextPacket(Packet):
    """A Socket.IO packet that never carries binary attachments. Floorlink's screens,
    pushes and acks are JSON, and the kiosk sends none: without this, python-socketio
    walked every outgoing packet's data, node by node, looking for bytes (~30 calls a
    screen). A binary packet a client sends is still decoded as before."""

    uses_binary_events = False


socketio = SocketIO()
