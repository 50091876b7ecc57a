"""Optimizers for the penalized network objective.

``_stochastic`` holds the mini-batch proximal optimizers (SGD and Adam), which
update parameters one batch at a time; ``_fista`` holds the full-batch accelerated
proximal gradient method. Both only need a penalty with ``prox``.
"""

from .._network import ParameterPacking
from ._fista import FistaResult, fista
from ._stochastic import ProximalAdam, ProximalSGD

__all__ = ["FistaResult", "ParameterPacking", "ProximalAdam", "ProximalSGD", "fista"]
