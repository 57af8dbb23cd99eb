"""The month of joint work compiled with numba: an optional accelerator (docs/performance.md).

:func:`month` computes what :class:`~pppsim.model.partnership.operation.Month` computes —
contribute, share, produce, value, trust, satisfaction, standing, close (docs/ODD.md §3 step
4, §7.2.4-§7.2.10) — in one compiled call over the same arrays, in the same order of members,
pairs and partnerships, with the same random draws.  The mechanisms are the very functions of
:mod:`pppsim.model.mechanisms`, compiled as they are (:func:`numba.extending.register_jitable`);
only the numpy calls numba lacks (:func:`~pppsim.model.mechanisms.divide_where`,
:func:`~pppsim.model.mechanisms.sum_rows`, :func:`~pppsim.model.mechanisms.running_max` and
:func:`~pppsim.model.outputs._known_mean`) get a compiled version here.  :func:`compiled`
compiles the other array code the model runs through
:func:`pppsim.model.accelerator.compiled_or_not`.  What the month
writes back, and what stays in Python (harm prevented, the event log, trust histories), is in
:func:`pppsim.model.partnership.operation.operate_all`.

The results are those of the numpy month up to the last bits of floating-point arithmetic:
compiled code takes ``exp`` and ``log`` from the C library and adds sums one by one, where
NumPy may use its own vector code and pairwise or BLAS sums.  Runs with and without the
accelerator are therefore two kinds of numerics (:func:`pppsim.numerics.fingerprint` names
which), each with its own golden runs (``tests/golden``).

The month is compiled on its first call (about 35 s) and kept in numba's cache
(:func:`cache_folder`), so later processes load it instead of compiling it.  Set
``PPPSIM_ACCELERATOR=numpy`` to run the numpy month although numba is installed
(:func:`pppsim.model.accelerator.compiled`).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

import numba
import numpy as np
from numba.extending import overload, register_jitable

from . import mechanisms as mech
from . import outputs, state
from .constants import ITEMS_PER_FTE
from .partnership import operation

MODEL = Path(__file__).parent
"""The folder of :mod:`pppsim.model`: its code is what numba compiles."""


@cache
def _model_code() -> bytes:
    """A digest of every ``.py`` file under :data:`MODEL`, read once per process."""
    digest = hashlib.sha256()
    for path in sorted(MODEL.rglob("*.py")):
        digest.update(path.relative_to(MODEL).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def cache_folder() -> Path:
    """Where numba keeps the compiled month: a folder of its own for each version of the
    model's code (every ``.py`` file under :data:`MODEL`) and of numba.

    numba checks a cached function against its own source file only, not against the
    functions it calls, so a mechanism changed in mechanisms.py would otherwise still run
    compiled as it was.  Under ``$XDG_CACHE_HOME`` (default ``~/.cache``) ``/pppsim/numba``."""
    digest = hashlib.sha256(numba.__version__.encode() + _model_code()).hexdigest()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pppsim" / "numba" / digest[:12]


def cached() -> bool:
    """Whether the compiled month is in :func:`cache_folder` (its index file is there: a
    process loads it rather than compiling it)."""
    return any(cache_folder().rglob("compiled.month-*.nbi"))


@cache
def writable(folder: Path) -> bool:
    """Whether ``folder`` (:func:`cache_folder`) exists or can be made, and can be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def compiled(function):
    """``function`` compiled with numba (numpy's rules for division by zero), kept in
    :func:`cache_folder` where that folder can be written, compiled anew in each process
    where it cannot: the month and its probe here, and the array code of :mod:`pppsim.model`
    that numba compiles as it is (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    kept, folder = numba.config.CACHE_DIR, cache_folder()
    numba.config.CACHE_DIR = str(folder)  # read once, when the function's cache is set up
    try:
        return numba.njit(cache=writable(folder), error_model="numpy")(function)
    finally:
        numba.config.CACHE_DIR = kept


for _function in (mech.within, mech.conditional_free_riding, mech.follow_up,
                   mech.joint_output, mech.stage_value, mech.update_trust,
                   mech.representative_trust_loss, mech.satisfaction_pulls,
                   mech.update_satisfaction, mech.remember_pulls, mech.drift_alignment,
                   mech.public_standing_change, mech.private_standing_change,
                   mech.next_stage, mech.exit_patience, mech.evaluation_due,
                   mech.prevented_shares, mech.learn, operation.grouped_rows,
                   operation.prevent, state.room_of,
                   outputs._array_mean_or_nan,
                   outputs._cross_sector_means):
    register_jitable(_function)


@overload(outputs._known_mean)
def _known_mean(block):
    """:func:`~pppsim.model.outputs._known_mean`, compiled: the known entries added up row by
    row as they come (the order numba's sum of them would take), without gathering them."""
    def known_mean(block):
        total, count = 0.0, 0
        for i in range(block.shape[0]):
            for j in range(block.shape[1]):
                if not np.isnan(block[i, j]):
                    total += block[i, j]
                    count += 1
        return total / count if count else np.nan
    return known_mean


@overload(mech.divide_where)
def _divide_where(numerator, denominator, where, out):
    """:func:`~pppsim.model.mechanisms.divide_where`, compiled: the quotient where ``where``
    holds (dividing by 1 elsewhere, then not used), ``out`` elsewhere."""
    def divide_where(numerator, denominator, where, out):
        out[...] = np.where(where, numerator / np.where(where, denominator, 1.0), out)
        return out
    return divide_where


@overload(mech.running_max)
def _running_max(x):
    """:func:`~pppsim.model.mechanisms.running_max`, compiled."""
    def running_max(x):
        out = x.copy()
        for k in range(1, len(out)):
            out[k] = max(out[k], out[k - 1])
        return out
    return running_max


@overload(mech.sum_rows)
def _sum_rows(x):
    """:func:`~pppsim.model.mechanisms.sum_rows`, compiled: the rows added in row order."""
    def sum_rows(x):
        total = x[0].copy()
        for row in range(1, x.shape[0]):
            total += x[row]
        return total
    return sum_rows


PARAMETERS = ("reciprocity", "follow_up_share", "follow_up_capacity", "public_sharing_factor",
              "umbrella_information_factor", "pet_cost_keur", "philanthropic_stage_value",
              "integrative_stage_value", "information_weight", "output_reference",
              "information_reference", "trust_build_rate", "trust_erosion_ratio",
              "reliability_norm", "representative_turnover", "representatives_per_member",
              "allocation_conflict", "goal_drift", "satisfaction_memory", "weight_free_riding",
              "weight_unequal_benefits", "weight_misaligned_goals",
              "favouritism_legitimacy_cost", "prevention_effectiveness")
"""The parameters the month reads, in the order of :func:`parameters`' array."""


def parameters(p) -> np.ndarray:
    """The month's parameters (:data:`PARAMETERS`) of a run's ``Parameters``, as one array."""
    return np.array([float(getattr(p, name)) for name in PARAMETERS])


# the columns of the month terms (operation.MONTH_TERMS), by position
(_MEETING_TIME, _KEPT, _PASS_THROUGH, _INFORMATION_VALUE, _MEETING_FACTOR, _IRRITATION,
 _FUNDED, _PET, _GOVERNANCE, _FIRMS, _LAUNCHED) = range(11)


@compiled
def month(month_now, rows, sizes, prows, draws, par,
          # the member table
          organisation, temptation, commitment_fte, commitment_keur, expectation, free_riding,
          effort_fte, money_keur, shared_items, value, alignment, satisfaction, grievances,
          value_by_motive, incident_chance,
          # the organisations
          is_public, is_umbrella, capability, information, motives, prejudice, trust,
          pair_label, standing,
          # the partnerships
          terms_table, stage_table, months_operated, pipeline, prevented_total, shared_total,
          shared_private_total, followed_total, last_shared_private, last_shared_public,
          last_followed, last_output, last_matured, domain_table, domain_count,
          # the crime domains
          harm, underlying, prevented_share):
    """One month of joint work of the partnerships at ``prows`` (their members' ``rows``
    grouped in that order, ``sizes`` of each), as :class:`Month` computes it step by step;
    ``draws``: one uniform draw per firm among the members, in member order (publicity
    incidents).  Writes the member table, the trust matrix and the partnership table, and
    the matured output lowers ``harm``
    (:func:`~pppsim.model.partnership.operation.prevent`); returns the new standing, each
    partnership's pairs' mean trust after the month, its members' mean satisfaction, its
    stage before and after the month, and the month's prevention entries (each one's
    partnership row, domain and share)."""
    (reciprocity, follow_up_share, follow_up_capacity, public_sharing_factor,
     umbrella_factor, pet_cost, philanthropic, integrative, information_weight,
     output_reference, information_reference, build_rate, erosion_ratio, reliability_norm,
     turnover, representatives, allocation_conflict, goal_drift, memory, weight_free_riding,
     weight_unequal, weight_misaligned, favouritism_cost, effectiveness) = (
        par[0], par[1], par[2], par[3], par[4], par[5], par[6], par[7], par[8], par[9],
        par[10], par[11], par[12], par[13], par[14], par[15], par[16], par[17], par[18],
        par[19], par[20], par[21], par[22], par[23])
    count, m, known = len(prows), len(rows), trust.shape[0]
    terms = np.empty((count, terms_table.shape[1]))
    group = np.empty(m, dtype=np.intp)
    first = np.empty(count, dtype=np.intp)
    start = 0
    for k in range(count):
        terms[k] = terms_table[prows[k]]
        first[k] = start
        group[start:start + sizes[k]] = k
        start += sizes[k]
    orgs = organisation[rows]
    public = is_public[orgs]
    flat_trust = trust.reshape(-1)

    # contribute (§7.2.4): each member's share withheld, from last month's of its partners
    last_total = np.zeros(count)
    for i in range(m):
        last_total[group[i]] += free_riding[rows[i]]
    withheld, delivered = np.empty(m), np.empty(m)
    effort, money = np.empty(m), np.empty(m)
    productive, money_total = np.zeros(count), np.zeros(count)
    for i in range(m):
        k, row = group[i], rows[i]
        last = free_riding[row]
        withheld[i] = mech.conditional_free_riding(
            temptation[row], (last_total[k] - last) / (sizes[k] - 1), reciprocity)
        delivered[i] = 1.0 - withheld[i]
        effort[i] = max(0.0, commitment_fte[row] * delivered[i] - terms[k, _MEETING_TIME])
        money[i] = commitment_keur[row] * delivered[i]
        productive[k] += effort[i] * terms[k, _KEPT] * (0.8 + 0.4 * capability[orgs[i]])
        money_total[k] += money[i]

    # share (§7.2.5-§7.2.6): ordered pairs, truster by truster, partners in member order
    pair_count = sizes * (sizes - 1)
    pairs = pair_count.sum()
    keys = np.empty(pairs, dtype=np.intp)
    pair_trust, baseline = np.empty(pairs), np.empty(pairs)
    willingness = np.zeros(m)
    at = 0
    for k in range(count):
        for i in range(first[k], first[k] + sizes[k]):
            for j in range(first[k], first[k] + sizes[k]):
                if i != j:
                    key = orgs[i] * known + orgs[j]
                    # the truster's prejudice: its trust while it does not know the other
                    baseline[at] = prejudice[orgs[i], np.intp(public[j])]
                    value_now = flat_trust[key]
                    if np.isnan(value_now):
                        value_now = baseline[at]
                    keys[at], pair_trust[at] = key, value_now
                    pair_label[key] = at
                    willingness[i] += value_now
                    at += 1
    shared = np.empty(m)
    shared_private, shared_public = np.zeros(count), np.zeros(count)
    follow_up_items, willing_total = np.zeros(count), np.zeros(count)
    for i in range(m):
        k, org = group[i], orgs[i]
        willingness[i] /= sizes[k] - 1
        willing_total[k] += willingness[i]
        staff_items = ITEMS_PER_FTE * effort[i]
        items = staff_items * information[org] * willingness[i] * terms[k, _PASS_THROUGH]
        if is_umbrella[org]:
            items = items * umbrella_factor
        if public[i]:
            shared[i] = items * (1.0 - follow_up_share) * public_sharing_factor
            shared_public[k] += shared[i]
            follow_up_items[k] += staff_items * follow_up_share * follow_up_capacity
        else:
            shared[i] = items
            shared_private[k] += items
    followed, ratio = mech.follow_up(shared_private, follow_up_items)

    # produce (§7.2.7): output, and the output of the delay ago, matured
    funded = terms[:, _FUNDED]
    resources = money_total + funded
    resources = np.where(terms[:, _PET] > 0, np.maximum(0.0, resources - pet_cost), resources)
    external = mech.divide_where(funded, resources, resources > 0, np.zeros(count))
    stage = stage_table[prows]
    multiplier = terms[:, _GOVERNANCE] * mech.stage_value(stage, philanthropic, integrative)
    output = mech.joint_output(productive, resources,
                               followed * terms[:, _INFORMATION_VALUE],
                               willing_total / sizes, multiplier, information_weight)
    width = pipeline.shape[1]
    matured = np.empty(count)
    n_public = np.zeros(count)
    for k in range(count):
        row = prows[k]
        operated = months_operated[row]
        pipeline[row, operated % width] = output[k]
        matured[k] = max(pipeline[row, (operated + 1) % width], 0.0)
        months_operated[row] = operated + 1
    for i in range(m):
        n_public[group[i]] += public[i]

    # value (§7.2.8), by motive: societal, organisational, individual
    societal = (0.5 * output + 0.5 * matured) / output_reference
    to_public = shared_private / np.maximum(n_public, 1.0) / information_reference
    from_public = shared_public / np.maximum(sizes - n_public, 1.0)
    by_motive = np.empty((3, m))
    for i in range(m):
        k = group[i]
        by_motive[0, i] = societal[k]
        if public[i]:
            organisational = to_public[k]
        else:
            firms_shared = shared_private[k]
            own = shared[i] / firms_shared if firms_shared != 0 else 0.0
            organisational = (followed[k] * own + from_public[k]) / information_reference
        by_motive[1, i] = organisational * terms[k, _INFORMATION_VALUE]
        by_motive[2, i] = willingness[i]

    # trust (§7.2.9): pairs that occur in several partnerships move by the sum of changes
    seen, meeting = np.empty(pairs), np.empty(pairs)
    at = 0
    for k in range(count):
        for i in range(first[k], first[k] + sizes[k]):
            for j in range(first[k], first[k] + sizes[k]):
                if i != j:
                    seen[at] = delivered[j]
                    if public[j] and not public[i]:  # a firm watching a public member
                        seen[at] = min(delivered[j], ratio[k])
                    meeting[at] = terms[k, _MEETING_FACTOR]
                    at += 1
    # (array calls: numba's np.where on single numbers makes an array of each)
    after = mech.update_trust(pair_trust, seen, build_rate, erosion_ratio, meeting,
                              reliability_norm)
    if turnover > 0.0:
        after = mech.representative_trust_loss(after, baseline, turnover, representatives)
    at = 0
    for k in range(count):
        for _ in range(pair_count[k]):
            after[at] = max(0.0, after[at] - allocation_conflict * external[k])
            at += 1
    change = np.zeros(pairs)
    for at in range(pairs):
        change[pair_label[keys[at]]] += after[at] - pair_trust[at]
    trust_total = np.zeros(count)
    at = 0
    for k in range(count):
        for _ in range(pair_count[k]):
            new = mech.within(pair_trust[at] + change[pair_label[keys[at]]], 0.0, 1.0)
            flat_trust[keys[at]] = new
            trust_total[k] += new
            at += 1

    # members (§7.2.9-§7.2.10): ledgers, alignment, pulls, satisfaction
    own_motives = np.empty((3, m))
    values, drifted = np.empty(m), np.empty(m)
    effort_total, value_total, withheld_total = np.zeros(count), np.zeros(count), np.zeros(count)
    for i in range(m):
        k, row, org = group[i], rows[i], orgs[i]
        free_riding[row] = withheld[i]
        effort_fte[row] = effort[i]
        money_keur[row] = money[i]
        shared_items[row] = shared[i]
        for motive in range(3):
            value_by_motive[row, motive] = by_motive[motive, i]
            own_motives[motive, i] = motives[org, motive]
        values[i] = (motives[org, 0] * by_motive[0, i] + motives[org, 1] * by_motive[1, i]
                     + motives[org, 2] * by_motive[2, i])
        drifted[i] = mech.drift_alignment(alignment[row], goal_drift)
        effort_total[k] += effort[i]
        value_total[k] += values[i]
        withheld_total[k] += withheld[i]
    for totals in (effort_total, money_total, value_total):
        for k in range(count):
            if totals[k] == 0.0:
                totals[k] = 1.0
    cost_share, value_share, partners_withheld = np.empty(m), np.empty(m), np.empty(m)
    for i in range(m):
        k = group[i]
        cost_share[i] = 0.5 * effort[i] / effort_total[k] + 0.5 * money[i] / money_total[k]
        value_share[i] = values[i] / value_total[k]
        partners_withheld[i] = (withheld_total[k] - withheld[i]) / max(sizes[k] - 1, 1)
    pulls = mech.satisfaction_pulls(
        by_motive, own_motives, expectation[rows], terms[:, _PASS_THROUGH][group],
        partners_withheld, drifted, cost_share, value_share, sizes[group],
        terms[:, _IRRITATION][group], memory,
        (weight_free_riding, weight_unequal, weight_misaligned))
    satisfied = mech.update_satisfaction(satisfaction[rows], pulls, memory)
    satisfaction_total = np.zeros(count)
    for i in range(m):
        row = rows[i]
        satisfaction[row] = satisfied[i]
        satisfaction_total[group[i]] += satisfied[i]
        for cause in range(pulls.shape[0]):
            grievances[row, cause] = mech.remember_pulls(grievances[row, cause],
                                                         pulls[cause, i], memory)
        value[row] = values[i]
        alignment[row] = drifted[i]

    # standing (§7.2.10): a firm's publicity incident is its draw below its chance
    incident = np.zeros(m, dtype=np.bool_)
    drawn = 0
    for i in range(m):
        if not public[i]:
            incident[i] = draws[drawn] < incident_chance[rows[i]]
            drawn += 1
    public_change = mech.public_standing_change(societal, terms[:, _FIRMS], favouritism_cost)
    private_change = mech.private_standing_change(incident)
    moved_standing = np.zeros(len(standing))
    for i in range(m):
        moved_standing[orgs[i]] += public_change[group[i]] if public[i] else private_change[i]
    standing = mech.within(standing + moved_standing, 0.0, 1.0)

    # close: each partnership's totals, last month's flows, its stage (Austin's continuum)
    trust_after, mean_satisfaction = trust_total / pair_count, satisfaction_total / sizes
    new_stage = mech.next_stage(stage, trust_after, month_now - terms[:, _LAUNCHED],
                                mean_satisfaction)
    for k in range(count):
        row = prows[k]
        prevented_total[row] += matured[k]
        shared_total[row] += shared_private[k] + shared_public[k]
        shared_private_total[row] += shared_private[k]
        followed_total[row] += followed[k]
        last_shared_private[row] = shared_private[k]
        last_shared_public[row] = shared_public[k]
        last_followed[row] = followed[k]
        last_output[row] = output[k]
        last_matured[row] = matured[k]
        stage_table[row] = new_stage[k]
    entry_rows, entry_domains, shares = operation.prevent(
        prows, matured, domain_table, domain_count, effectiveness, harm, underlying,
        prevented_share)
    return (standing, trust_after, mean_satisfaction, stage, new_stage, entry_rows,
            entry_domains, shares)


@compiled
def _probe(anywhere, positive):
    """``exp``, ``log`` and a power as compiled code computes them (for the fingerprint)."""
    return np.concatenate((np.exp(anywhere), np.log(positive), positive ** 0.37))


def probe() -> np.ndarray:
    """What compiled code computes for the operations whose last bits depend on the machine
    (:func:`pppsim.numerics.fingerprint`)."""
    return _probe(np.linspace(-6.0, 6.0, 1001), np.linspace(1e-9, 3.0, 1001))


if not cached():  # say why the first model month takes a while (once per model version)
    print("pppsim: compiling the month of joint work with numba (about 35 s); "
          + (f"kept in {cache_folder()} for later runs" if writable(cache_folder()) else
             f"{cache_folder()} cannot be written, so every process compiles it: set "
             "XDG_CACHE_HOME to a folder that can be"), file=sys.stderr, flush=True)
