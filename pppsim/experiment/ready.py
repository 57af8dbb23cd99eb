"""Imported to have the compiled month of joint work loaded in this process
(:func:`pppsim.model.accelerator.warm_up`): the forkserver of a sweep's pool imports it after
the model, so that every worker forked from it starts with the month loaded, instead of each
importing numba and loading the month itself (about half a second each)."""

from ..model import accelerator

accelerator.warm_up()
