"""Server settings: what one ``synthscope serve`` process holds (no globals built at import)."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["MAX_BODY_BYTES", "Settings", "is_loopback", "package_static_dir"]

#: The largest request body the server reads (32 MiB: a relabel or selection of about four
#: million point ids); a larger one is answered 413 before it is read.
MAX_BODY_BYTES = 32 * 2**20


def package_static_dir() -> Path:
    """The folder the Makefile builds the front end into (may be missing in a source tree)."""
    return Path(str(resources.files("synthscope"))) / "static"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """How the projector server runs.

    Parameters
    ----------
    workspace
        The workspace folder the server opens and edits.
    host, port
        Where uvicorn binds; only used to decide whether a token is needed and to build the URL.
    token
        Shared secret required on every request when the server is bound off loopback; one is
        generated when needed and not given. ``None`` on loopback means no token is asked.
    static_dir
        The built front end; ``None`` uses the package's ``static/`` folder.
    thumb_cache_tiles
        How many thumbnail atlas tiles (PNG bytes, 1-4 MB each) stay cached in memory.
    max_body_bytes
        The largest request body read; larger ones are answered 413 (see :data:`MAX_BODY_BYTES`).
    """

    workspace: Path
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    static_dir: Path | None = None
    thumb_cache_tiles: int = 32
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.token is None and not is_loopback(self.host):
            # Off loopback anyone on the network could relabel the workspace: demand a secret.
            object.__setattr__(self, "token", secrets.token_urlsafe(24))

    @property
    def static_path(self) -> Path:
        """The folder holding ``index.html`` of the built front end."""
        return self.static_dir if self.static_dir is not None else package_static_dir()

    @property
    def url(self) -> str:
        """The address to open in a browser; carries the token when one is required."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        base = f"http://{host}:{self.port}/"
        return f"{base}?token={self.token}" if self.token else base
