"""The projector as a Jupyter widget: ``synthscope.Projector(ws)`` (needs ``synthscope[notebook]``).

The same front end as ``synthscope serve``'s page, built by the same command into one ES module
(``static/widget.js``) that anywidget loads; its data come from the kernel over the widget's
messages (:mod:`synthscope.widget._backend`), as binary buffers. Works where anywidget works:
JupyterLab, Notebook 7, VS Code, and Colab (see docs/notebook.md).
"""

from synthscope.widget._widget import Projector, bundle_path

__all__ = ["Projector", "bundle_path"]
