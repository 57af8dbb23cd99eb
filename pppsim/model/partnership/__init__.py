"""Partnerships: negotiated, operated, evaluated and dissolved month by month.

``agent`` holds the Mesa agent :class:`Partnership` and its state; its behaviour is split by
stage of life: ``lifecycle`` (negotiate, launch, admit), ``operation`` (a month of joint work),
``ending`` (funding, evaluation, exits, dissolution); ``ledger`` holds the member ledger and the
records of a month's conditions and flows.
"""

from .agent import Partnership
from .ledger import Conditions, Flows, MemberLedger

__all__ = ["Conditions", "Flows", "MemberLedger", "Partnership"]
