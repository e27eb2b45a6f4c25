"""How synthscope's numba kernels share the CPU: imported (for its effect) before numba starts.

GNU OpenMP threads spin at every barrier by default; on a shared or oversubscribed machine the
spinning eats the time slices the working thread needs (measured: 77 ms vs 9 ms per 3,600-point
t-SNE gradient at load 10 on 2 cores). Sleeping at barriers costs microseconds per iteration when
the machine is idle. Only a default: a user's own setting wins. Read when numba first starts its
OpenMP pool, i.e. at the first parallel kernel call.
"""

from __future__ import annotations

import os

__all__: list[str] = []

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
