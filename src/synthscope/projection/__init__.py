"""Projection engine: PCA, t-SNE and UMAP of feature vectors into 2-D or 3-D.

Pure arrays in, :class:`Projection` results out; nothing here knows about workspaces.

>>> from synthscope.projection import tsne
>>> result = tsne(X, dims=3, perplexity=30, seed=0)        # doctest: +SKIP
>>> result.embedding.shape, result.kl                       # doctest: +SKIP
"""

from synthscope.projection._engines import ENGINES, EXACT_MAX_POINTS
from synthscope.projection._pca import pca
from synthscope.projection._result import Projection
from synthscope.projection._tsne import TSNECallback, tsne
from synthscope.projection._umap import umap

__all__ = ["ENGINES", "EXACT_MAX_POINTS", "Projection", "TSNECallback", "pca", "tsne", "umap"]

# show the public path in reprs and docs (the httpx pattern)
for _obj in (Projection, pca, tsne, umap):
    _obj.__module__ = __name__
del _obj
