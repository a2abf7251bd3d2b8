"""Building a running Floorlink from its settings and its areas, the same way for the
server (create_app), the CLI and the tests: the spine with every area's handlers and event
classes, the ports (the server's MQTT link, the lights), the flows, the hooks, the device
routes and the after-commit listeners. Background services are added by `add_services`
(serve only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from server.area import Area, Env
from server.areas import AREAS
from server.config import Settings
from server.hardware.lights import LightPort, MqttLights
from server.hardware.link import MqttLink
from server.runtime import Runtime
from server.spine import Spine, merge_handlers

if TYPE_CHECKING:
    from flask import Flask


def build_runtime(
    settings: Settings, areas: tuple[Area, ...] = AREAS, *, lights: LightPort | None = None
) -> Runtime:
    handlers = merge_handlers(table.table for area in areas for table in area.handlers)
    link = MqttLink(settings)
    spine = Spine(handlers, events=event_classes(areas))
    runtime = Runtime(settings, spine, link, lights or MqttLights(link))
    env = Env(settings, _flows(areas, runtime), _hooks(areas), _exception_kinds(areas))
    runtime.env = runtime.spine.env = env
    runtime.device_routes = _routes(areas, runtime)
    for area in areas:
        for sub in area.listeners(runtime) if area.listeners else ():
            runtime.spine.subscribe(sub.listener, sub.types)
    return runtime


def event_classes(areas: tuple[Area, ...] = AREAS) -> list[type]:
    """Every event class the areas declare (`Area.events`): the running server's catalogue.
    A class is declared once, and a public type string by one class."""
    classes: dict[type, str] = {}
    types: dict[str, type] = {}
    for area in areas:
        for cls in area.events:
            if cls in classes:
                raise RuntimeError(f"{cls.__name__} is declared by {classes[cls]} and {area.name}")
            classes[cls] = area.name
            type_ = cls.__dict__.get("type")  # a test's generic event has no class-level type
            if isinstance(type_, str):
                if type_ in types:
                    raise RuntimeError(f"{type_!r} is declared twice ({cls.__name__})")
                types[type_] = cls
    return list(classes)


def add_services(app: Flask, runtime: Runtime, areas: tuple[Area, ...] = AREAS) -> None:
    for area in areas:
        if area.services is not None:
            runtime.services.extend(area.services(app, runtime))


def _flows(areas: tuple[Area, ...], runtime: Runtime) -> dict[str, Any]:
    flows: dict[str, Any] = {}
    for area in areas:
        for flow in area.flows(runtime) if area.flows else ():
            if flow.name in flows:
                raise RuntimeError(f"flow {flow.name!r} is declared twice (area {area.name})")
            flows[flow.name] = flow
    return flows


def _hooks(areas: tuple[Area, ...]) -> dict[str, tuple[Callable[..., None], ...]]:
    hooks: defaultdict[str, list[Callable[..., None]]] = defaultdict(list)
    for area in areas:
        for point, fn in area.hooks.items():
            hooks[point].append(fn)
    return {point: tuple(fns) for point, fns in hooks.items()}


def _exception_kinds(areas: tuple[Area, ...]) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for area in areas:
        for kind in area.exception_kinds:
            if kind.kind in kinds:
                raise RuntimeError(f"exception kind {kind.kind!r} is declared twice ({area.name})")
            kinds[kind.kind] = kind
    return kinds


def _routes(areas: tuple[Area, ...], runtime: Runtime) -> dict[str, Any]:
    routes: dict[str, Any] = {}
    for area in areas:
        for event_type, route in (
            area.device_routes(runtime) if area.device_routes else {}
        ).items():
            if event_type in routes:
                raise RuntimeError(f"device event {event_type!r} has two routes ({area.name})")
            routes[event_type] = route
    return routes
