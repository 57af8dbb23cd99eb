"""How a partnership ends: funding, evaluation, goals reached, members' exits, dissolution."""

from __future__ import annotations

from itertools import compress
from math import fsum
from typing import TYPE_CHECKING

import numpy as np

from .. import accelerator
from .. import mechanisms as mech
from ..events import EventKind
from ..vocabulary import EndCause, Funding
from .operation import MONTH_TERMS, Members, refresh_month_terms, table_rows

if TYPE_CHECKING:
    from ..organisation import Organisation
    from .agent import Partnership


class Ending:
    """Funding, evaluation, exits and dissolution: the part of :class:`Partnership` that
    decides whether it goes on."""

    def check_funding(self: Partnership) -> None:
        """A grant ends: renewed, carried on in kind, or the partnership ends.

        The more external funding, the more continuity hangs on its source [002 L578];
        sustainable funding allows long-term work [001 L193]; embedding after the pilot is the
        hard part [002 L683].  Members carry on in kind with probability given by their
        satisfaction and the share of resources they already bring themselves.
        """
        model = self.model
        if self.funding is not Funding.GRANT or model.month < self.funding_end_month:
            return
        if model.rng.random() < model.p.grant_renewal_probability:
            self.funding = Funding.STRUCTURAL
            self.funding_keur = model.p.structural_keur
            self.terms_changed()
            model.events.record(model.month, EventKind.FUNDING_RENEWED,
                                partnership=self.unique_id)
            return
        satisfaction = self.satisfaction
        own_share = mech.own_funding_share(
            sum(led.commitment_keur for led in self.members.values()), self.funding_keur)
        carry_on = mech.carry_on_probability(satisfaction, own_share)
        model.events.record(model.month, EventKind.FUNDING_ENDED, partnership=self.unique_id,
                            satisfaction=satisfaction, own_share=own_share,
                            carry_on_probability=carry_on)
        if model.rng.random() < carry_on:
            self.funding = Funding.IN_KIND
            self.funding_keur = 0.0
            self.terms_changed()
        else:
            self.dissolve(EndCause.FUNDING_ENDED, satisfaction=satisfaction, own_share=own_share)

    def review(self: Partnership, due: bool | None = None) -> None:
        """Evaluate when an evaluation is due (``due``, if the caller knows it); a partnership
        that never evaluates and agreed an exit strategy ends as soon as it reaches its goals
        [002 L1185, L1493]."""
        if self.evaluation_due() if due is None else due:
            self.evaluate()
        elif self.exit_strategy and self.evaluation_interval_months == 0 \
                and self.goal_progress >= 1.0:
            self.dissolve(EndCause.GOALS_REACHED, progress=self.goal_progress)

    def evaluation_due(self: Partnership) -> bool:
        """Whether its age is a whole number (at least one) of evaluation intervals."""
        return bool(mech.evaluation_due(self.age_months, self.evaluation_interval_months))

    def evaluate(self: Partnership) -> None:
        """Evaluate: goals reached, continue, revitalise, transform or terminate.

        Members compare value with expectations on goals and functioning [002 L1038-L1055];
        outcomes are vitalise, transform or terminate [002 L1175-L1187].  Regular evaluation
        ends failing partnerships sooner and rescues salvageable ones [001 L283]: a partnership
        whose members are on average below their exit threshold is terminated as a whole, one
        that is unsatisfying but above it is revitalised or transformed.  A partnership
        that reached its goals ends (a success) if it agreed an exit strategy; otherwise it
        sets itself new goals and carries on [002 L1185, L1493].  A partnership that goes on
        realigns its goals with its members' interests, which have drifted since the last
        review ([002 L739]: evaluate whether it still meets the parties' wishes).  A
        termination's cause is the members' largest remembered pull on satisfaction
        (:meth:`main_cause`).
        """
        satisfaction = self.satisfaction
        progress = self.goal_progress
        values = {"satisfaction": satisfaction, "progress": progress}
        if progress >= 1.0:
            if self.exit_strategy:
                self._record_evaluation("goals reached", values)
                self.dissolve(EndCause.GOALS_REACHED, **values)
                return
            self._record_evaluation("goals reached, new goals set", values)
            self.goal_output += self.goal_output
        decision = mech.evaluation_decision(satisfaction, self.model.p.exit_threshold)
        if decision == "terminate":
            cause, share = self.main_cause()
            self._record_evaluation("terminate", values | {"cause_share": share})
            self.dissolve(cause, **values)
            return
        if decision == "continue":
            self._record_evaluation("continue", values)
        else:
            self._revitalise_or_transform(values)
        rows, table = self.member_terms().rows, self.model.ledgers
        table.alignment[rows] = self.realigned(table.domain_fit[rows])

    def _revitalise_or_transform(self: Partnership, values: dict[str, float]) -> None:
        """Transform (the dissatisfied leave, newcomers are sought) or revitalise.

        The evaluation is the occasion at which members below their exit threshold say so and
        leave, instead of muddling on [002 L1185]; the partnership then seeks replacements
        (transform: a change of composition [002 L1181]).  If nobody is below the threshold,
        expectations are realigned with what the partnership delivers (revitalise [002 L1179]).
        """
        model = self.model
        leaving = [i for i, led in self.members.items()
                   if led.satisfaction < model.p.exit_threshold]
        if not leaving:
            self._record_evaluation("revitalise", values)
            for led in self.members.values():
                led.expectation, led.optimism, led.satisfaction = mech.revitalised(
                    led.expectation, led.optimism, led.satisfaction, led.value)
            return
        self._record_evaluation("transform", values | {"leaving": len(leaving)})
        for org_id in leaving:
            if not self.is_active:
                return
            led = self.members[org_id]
            cause, share = mech.tipping_cause(led.grievances)
            self.remove_member(model.organisation_by_id[org_id], cause,
                               satisfaction=led.satisfaction, cause_share=share)
        for _ in leaving:
            if self.is_active:
                model.recruit(self)

    def _record_evaluation(self: Partnership, decision: str, values: dict) -> None:
        self.model.events.record(self.model.month, EventKind.EVALUATED,
                                 partnership=self.unique_id, cause=decision,
                                 **(self.status_values() | values))

    def status_values(self: Partnership) -> dict[str, float]:
        """Trust, satisfaction by sector and information totals so far, for the event log.

        EVALUATED and DISSOLVED events carry them, so that a partnership's story can tell how
        trust and satisfaction moved and what was shared and followed up.
        """
        table, row = self._table, self.row  # the totals' columns, read directly
        status = {"trust": self.trust, "shared": float(table.shared_total[row]),
                  "shared_by_private": float(table.shared_private_total[row]),
                  "followed_up": float(table.followed_total[row])}
        model = self.model
        rows, ledgers = self.member_rows(), model.ledgers
        satisfaction = ledgers.satisfaction[rows]
        public = model.organisation_arrays.is_public[ledgers.organisation[rows]]
        for sector, members in (("public", public), ("private", ~public)):
            levels = satisfaction[members].tolist()
            if levels:
                status[f"satisfaction_{sector}"] = fsum(levels) / len(levels)  # fmean's value
        return status

    def main_cause(self: Partnership) -> tuple[EndCause, float]:
        """The partnership's main problem: the cause with the largest pull on its members'
        satisfaction, averaged over the members, and its share of their summed pulls."""
        return mech.tipping_cause(np.mean([led.grievances for led in self.members.values()],
                                          axis=0))

    def remove_member(self: Partnership, org: Organisation, cause: EndCause,
                      **values: float) -> None:
        """A member leaves; the partnership dissolves if it is no longer viable.

        A PPS needs two members from different sectors [002 L280-L281, L321]: when fewer than
        two remain, or one sector is gone, it ends with the cause of the exit that broke it.
        """
        model = self.model
        led = self.members.pop(org.unique_id)
        model.ledgers.current[led.row] = 0
        self.terms_changed()
        del org.partnerships[self.unique_id]
        org.memberships_changed()
        values = {"satisfaction": led.satisfaction} | values
        model.events.record(model.month, EventKind.EXITED, partnership=self.unique_id,
                            organisation=org.unique_id, cause=cause, sector=str(org.sector),
                            **values)
        model.exits_this_month.append((org.sector, cause))
        has_public, has_private = self.sectors_present()
        if len(self.members) < 2 or not (has_public and has_private):
            self.dissolve(cause, **values)

    def dissolve(self: Partnership, cause: EndCause, **values: float) -> None:
        """End the partnership with exactly one cause; every member's seat is released."""
        model = self.model
        assert self.end_cause is None, "a partnership ends once"
        for org_id in list(self.members) + [o.unique_id for o in self._pending_members]:
            org = model.organisation_by_id[org_id]
            org.partnerships.pop(self.unique_id, None)
            org.memberships_changed()
        self.end_cause = cause
        self.is_active = self.is_operating = False
        self.ended_month = model.month
        model.events.record(model.month, EventKind.DISSOLVED, partnership=self.unique_id,
                            others=tuple(self.members) or self.founders, cause=cause,
                            age=self.age_months, **(self.status_values() | values))
        model.ended_this_month.append(self)
        self.remove()


def reviews_due(terms_table, prows, month, launched, interval, exit_strategy):
    """Which of the partnerships at rows ``prows`` of the partnership table evaluate this
    month, and which review (evaluate, or check their goals), from their design terms (the
    columns ``launched``, ``interval`` and ``exit_strategy`` of ``terms_table``): an
    evaluation is due at each whole number (at least one) of intervals of age; one that never
    evaluates and agreed an exit strategy checks its goals (:meth:`Ending.review`).  Returns
    both, and whether each agreed an exit strategy.  One source for both ways of running:
    compiled where the accelerator is on (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    terms = terms_table[prows]
    intervals, agreed_exit = terms[:, interval], terms[:, exit_strategy] > 0
    evaluating = mech.evaluation_due(month - terms[:, launched], intervals)
    return evaluating, evaluating | ((intervals <= 0) & agreed_exit), agreed_exit


_REVIEW_TERMS = tuple(MONTH_TERMS.index(name)
                      for name in ("launched", "evaluation_interval", "exit_strategy"))
"""The columns of the month terms :func:`reviews_due` reads."""


def settle_all(partnerships: list[Partnership],
               prows: np.ndarray | None = None) -> list[Partnership]:
    """After a month of operation, each partnership in turn: funding, then an evaluation or a
    check of its goals; then the members of all that go on consider leaving
    (:func:`consider_exits`).  ``prows``: their rows of the partnership table, if the caller
    has them.  Returns those that went on, in the given order.

    Whether an evaluation or a check is due comes from the design terms in the partnership
    table (:data:`~.operation.MONTH_TERMS`, written for every operating partnership by
    :func:`~.operation.refresh_month_terms`), for all the partnerships at once."""
    if not partnerships:
        return []
    model = partnerships[0].model
    month = model.month
    for partnership in partnerships:
        if partnership.funding is Funding.GRANT and month >= partnership.funding_end_month:
            partnership.check_funding()
    refresh_month_terms(model)
    if prows is None:
        prows = table_rows(partnerships)
    evaluating, reviewing, exit_strategy = accelerator.compiled_or_not(reviews_due)(
        model.partnership_table.terms, prows, month, *_REVIEW_TERMS)
    for partnership, due in compress(zip(partnerships, evaluating.tolist(), strict=True),
                                     reviewing.tolist()):
        if partnership.is_active:
            partnership.review(due)
    active = [partnership.is_active for partnership in partnerships]
    going_on = list(compress(partnerships, active))
    consider_exits(going_on, exit_strategy[active], prows[active])
    return [partnership for partnership in going_on if partnership.is_active]


def exit_decisions(rows, group, sizes, satisfaction_column, organisation, months_column,
                   standing_now, draws, exit_strategy, threshold, standing_threshold, hazard,
                   patience_months, prows, failing_since, month):
    """Who of the members (rows ``rows`` of the member table, ``group``: their partnership's
    place, ``sizes``: each partnership's members) leaves this month (:func:`consider_exits`):
    lost standing, else a priority shift (``draws``: one uniform draw each), else a member
    that has counted its months below the satisfaction ``threshold`` (written back into
    ``months_column``) up to its patience.  Each partnership (rows ``prows`` of the
    partnership table) whose members' mean satisfaction is below the threshold is failing:
    since this ``month`` in its ``failing_since`` unless it was already, -1 if it is not.
    Returns for each member whether it leaves, for lost standing, for a priority shift, and
    its satisfaction, standing and months dissatisfied.  One source for both ways of
    running: compiled where the accelerator is on
    (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    satisfaction = satisfaction_column[rows]
    failing = np.bincount(group, satisfaction, len(sizes)) / sizes < threshold
    since = failing_since[prows]
    failing_since[prows] = np.where(failing, np.where(since < 0, month, since), -1)
    standing = standing_now[organisation[rows]]
    lost_standing = standing < standing_threshold
    shifted = ~lost_standing & (draws < hazard)
    stays = ~(lost_standing | shifted)
    months = months_column[rows]
    months = np.where(stays, np.where(satisfaction < threshold, months + 1, 0), months)
    months_column[rows] = months
    patience = mech.exit_patience(patience_months, exit_strategy)[group]
    worn_out = stays & (months >= patience)
    return lost_standing | shifted | worn_out, lost_standing, shifted, satisfaction, standing, \
        months


def consider_exits(partnerships: list[Partnership], exit_strategy: np.ndarray | None = None,
                   prows: np.ndarray | None = None) -> None:
    """Members leave for lasting dissatisfaction, lost standing or shifted priorities.

    A member leaves when satisfaction stays below its threshold [002 L1203, L1280-L1282]
    (longer without an agreed exit strategy: :func:`~pppsim.model.mechanisms.exit_patience`;
    ``exit_strategy``: whether each partnership agreed one, and ``prows``: their rows of the
    partnership table, if the caller has them at hand),
    when its legitimacy or reputation is at risk [002 L1254-L1258], or when its board's
    priorities shift (``priority_shift_hazard`` [002 L1061, L1203]).

    Every member of the given partnerships at once: it leaves for lost standing, else for a
    priority shift (one uniform draw each), else counts its months below the threshold and
    leaves when its patience runs out.  The leavers then leave in the partnerships' order
    and member order, until a partnership has dissolved.  A dissatisfied member gives as its
    reason the cause that tipped it: the largest of its remembered pulls on satisfaction
    (:func:`~pppsim.model.mechanisms.tipping_cause`), whose sum is its fall below full
    satisfaction.
    """
    if not partnerships:
        return
    model = partnerships[0].model
    p, table = model.p, model.ledgers
    if prows is None:
        prows = table_rows(partnerships)
    members = Members.of(partnerships, prows)
    rows, group = members.rows, members.group
    threshold = p.exit_threshold
    if exit_strategy is None:
        exit_strategy = np.array([partnership.exit_strategy for partnership in partnerships])
    draws = model.rng.random(len(rows))  # the priority shifts
    leaving, lost_standing, shifted, satisfaction, standing, months = \
        accelerator.compiled_or_not(exit_decisions)(
            rows, group, members.sizes, table.satisfaction, table.organisation,
            table.months_dissatisfied, model.organisation_arrays.standing, draws, exit_strategy,
            threshold, p.standing_exit_threshold, p.priority_shift_hazard,
            p.exit_patience_months, prows, model.partnership_table.failing_since, model.month)
    for k in leaving.nonzero()[0].tolist():
        partnership = partnerships[group[k]]
        if not partnership.is_active:
            continue
        org = model.organisation_by_id[int(table.organisation[rows[k]]) + 1]
        if lost_standing[k]:
            partnership.remove_member(org, EndCause.LEGITIMACY_RISK, standing=float(standing[k]),
                                      threshold=p.standing_exit_threshold)
        elif shifted[k]:
            partnership.remove_member(org, EndCause.PRIORITY_SHIFT,
                                      hazard=p.priority_shift_hazard)
        else:
            cause, share = mech.tipping_cause(table.grievances[rows[k]])
            partnership.remove_member(org, cause, satisfaction=float(satisfaction[k]),
                                      threshold=threshold, months=int(months[k]),
                                      cause_share=share)
