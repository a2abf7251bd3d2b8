"""The supervisors' floor board: the floor now, the exceptions queue with one-tap fixes,
devices and sync health, pushed after commit (docs/supervision.md)."""
