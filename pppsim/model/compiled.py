"""The month of joint work compiled with numba: an optional accelerator (docs/performance.md).

:func:`month` computes what :class:`~pppsim.model.partnership.operation.Month` computes —
contribute, share, produce, value, trust, satisfaction, standing, close (docs/ODD.md §3 step
4, §7.2.4-§7.2.10) — in one compiled call over the same arrays, in the same order of members,
pairs and partnerships, with the same random draws.  The mechanisms are the very functions of
:mod:`pppsim.model.mechanisms`, compiled as they are (:func:`numba.extending.register_jitable`);
only the two numpy calls numba lacks (:func:`~pppsim.model.mechanisms.divide_where` and
:func:`~pppsim.model.mechanisms.sum_rows`) get a compiled version here.  What the month
writes back, and what stays in Python (harm prevented, the event log, trust histories), is in
:func:`pppsim.model.partnership.operation.operate_all`.

The results are those of the numpy month up to the last bits of floating-point arithmetic:
compiled code takes ``exp`` and ``log`` from the C library and adds sums one by one, where
NumPy may use its own vector code and pairwise or BLAS sums.  Runs with and without the
accelerator are therefore two kinds of numerics (:func:`pppsim.numerics.fingerprint` names
which), each with its own golden runs (``tests/golden``).

The month is compiled on its first call (about 20 s) and kept in numba's cache
(:func:`cache_folder`), so later processes load it instead of compiling it.  Set
``PPPSIM_ACCELERATOR=numpy`` to run the numpy month although numba is installed
(:func:`pppsim.model.accelerator.compiled`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba
import numpy as np
from numba.extending import overload, register_jitable

from . import mechanisms as mech
from .constants import ITEMS_PER_FTE

SOURCES = ("compiled.py", "mechanisms.py", "constants.py", "vocabulary.py")
"""The files of :mod:`pppsim.model` whose code the compiled month contains."""


def cache_folder() -> Path:
    """Where numba keeps the compiled month: a folder of its own for each version of the
    code it compiles (:data:`SOURCES`) and of numba.

    numba checks a cached function against its own source file only, not against the
    functions it calls, so a mechanism changed in mechanisms.py would otherwise still run
    compiled as it was.  Under ``$XDG_CACHE_HOME`` (default ``~/.cache``) ``/pppsim/numba``."""
    here = Path(__file__).parent
    digest = hashlib.sha256(numba.__version__.encode())
    for name in SOURCES:
        digest.update((here / name).read_bytes())
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pppsim" / "numba" / digest.hexdigest()[:12]


def _cached(function):
    """``function`` compiled with numba (numpy's rules for division by zero), kept in
    :func:`cache_folder` where that folder can be written, compiled anew in each process
    where it cannot."""
    folder, kept = cache_folder(), numba.config.CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cache = os.access(folder, os.W_OK)
    except OSError:
        cache = False
    numba.config.CACHE_DIR = str(folder)  # read once, when the function's cache is set up
    try:
        return numba.njit(cache=cache, error_model="numpy")(function)
    finally:
        numba.config.CACHE_DIR = kept

for _mechanism in (mech.within, mech.conditional_free_riding, mech.follow_up,
                   mech.joint_output, mech.stage_value, mech.update_trust,
                   mech.representative_trust_loss, mech.satisfaction_pulls,
                   mech.update_satisfaction, mech.remember_pulls, mech.drift_alignment,
                   mech.public_standing_change, mech.private_standing_change):
    register_jitable(_mechanism)


def compiled(function):
    """``function`` of :mod:`pppsim.model.mechanisms`, compiled as it is (array code numba
    compiles), for :func:`pppsim.model.accelerator.compiled_or_not`."""
    return _cached(function)


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
              "favouritism_legitimacy_cost")
"""The parameters the month reads, in the order of :func:`parameters`' array."""


def parameters(p) -> np.ndarray:
    """The month's parameters (:data:`PARAMETERS`) of a run's ``Parameters``, as one array."""
    return np.array([float(getattr(p, name)) for name in PARAMETERS])


# the columns of the month terms (operation.MONTH_TERMS), by position
(_MEETING_TIME, _KEPT, _PASS_THROUGH, _INFORMATION_VALUE, _MEETING_FACTOR, _IRRITATION,
 _FUNDED, _PET, _GOVERNANCE, _FIRMS, _LAUNCHED) = range(11)


@_cached
def month(rows, sizes, prows, draws, par,
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
          last_followed, last_output, last_matured):
    """One month of joint work of the partnerships at ``prows`` (their members' ``rows``
    grouped in that order, ``sizes`` of each), as :class:`Month` computes it step by step;
    ``draws``: one uniform draw per firm among the members, in member order (publicity
    incidents).  Writes the member table, the trust matrix and the partnership table; returns
    the new standing, each partnership's matured output, its pairs' mean trust after the
    month, its members' mean satisfaction and its stage before the month."""
    (reciprocity, follow_up_share, follow_up_capacity, public_sharing_factor,
     umbrella_factor, pet_cost, philanthropic, integrative, information_weight,
     output_reference, information_reference, build_rate, erosion_ratio, reliability_norm,
     turnover, representatives, allocation_conflict, goal_drift, memory, weight_free_riding,
     weight_unequal, weight_misaligned, favouritism_cost) = (
        par[0], par[1], par[2], par[3], par[4], par[5], par[6], par[7], par[8], par[9],
        par[10], par[11], par[12], par[13], par[14], par[15], par[16], par[17], par[18],
        par[19], par[20], par[21], par[22])
    count, m = len(prows), len(rows)
    terms = np.empty((count, terms_table.shape[1]))
    for k in range(count):
        terms[k] = terms_table[prows[k]]
    group = np.empty(m, dtype=np.intp)
    first = np.empty(count, dtype=np.intp)
    start = 0
    for k in range(count):
        first[k] = start
        group[start:start + sizes[k]] = k
        start += sizes[k]
    n = sizes[group]
    partners = n - 1
    orgs = organisation[rows]
    public = is_public[orgs]
    private = ~public

    def total(x):
        return np.bincount(group, x, count)

    # ordered pairs, truster by truster, each truster's partners in member order
    pair_count = sizes * (sizes - 1)
    pairs = pair_count.sum()
    src = np.empty(pairs, dtype=np.intp)
    dst = np.empty(pairs, dtype=np.intp)
    at = 0
    for k in range(count):
        for i in range(first[k], first[k] + sizes[k]):
            for j in range(first[k], first[k] + sizes[k]):
                if i != j:
                    src[at], dst[at] = i, j
                    at += 1
    pair_group = group[src]
    truster, trusted = orgs[src], orgs[dst]
    keys = truster * trust.shape[0] + trusted
    flat_trust = trust.reshape(-1)

    # contribute (§7.2.4)
    last = free_riding[rows]
    withheld = mech.conditional_free_riding(temptation[rows], (total(last)[group] - last)
                                            / partners, reciprocity)
    delivered = 1.0 - withheld
    effort = np.maximum(0.0, commitment_fte[rows] * delivered
                        - terms[:, _MEETING_TIME][group])
    money = commitment_keur[rows] * delivered
    productive = total(effort * terms[:, _KEPT][group] * (0.8 + 0.4 * capability[orgs]))

    # share (§7.2.5-§7.2.6)
    pair_trust = flat_trust[keys]
    for at in range(pairs):
        if np.isnan(pair_trust[at]):
            pair_trust[at] = prejudice[truster[at], np.intp(is_public[trusted[at]])]
    willingness = np.bincount(src, pair_trust, m) / partners
    staff_items = ITEMS_PER_FTE * effort
    items = staff_items * information[orgs] * willingness * terms[:, _PASS_THROUGH][group]
    items = np.where(is_umbrella[orgs], items * umbrella_factor, items)
    shared = np.where(public, items * (1.0 - follow_up_share) * public_sharing_factor, items)
    by_sector = group + count * public
    sums = np.bincount(by_sector, shared, 2 * count)
    shared_private, shared_public = sums[:count], sums[count:]
    follow_up_items = np.bincount(by_sector, staff_items * follow_up_share
                                  * follow_up_capacity, 2 * count)[count:]
    followed, ratio = mech.follow_up(shared_private, follow_up_items)

    # produce (§7.2.7): output, and the output of the delay ago, matured
    funded = terms[:, _FUNDED]
    resources = total(money) + funded
    resources = np.where(terms[:, _PET] > 0, np.maximum(0.0, resources - pet_cost), resources)
    external = mech.divide_where(funded, resources, resources > 0, np.zeros(count))
    stage = stage_table[prows]
    multiplier = terms[:, _GOVERNANCE] * mech.stage_value(stage, philanthropic, integrative)
    output = mech.joint_output(productive, resources,
                               followed * terms[:, _INFORMATION_VALUE],
                               total(willingness) / sizes, multiplier, information_weight)
    width = pipeline.shape[1]
    matured = np.empty(count)
    for k in range(count):
        row = prows[k]
        operated = months_operated[row]
        pipeline[row, operated % width] = output[k]
        matured[k] = max(pipeline[row, (operated + 1) % width], 0.0)
        months_operated[row] = operated + 1

    # value (§7.2.8)
    n_public = total(public.astype(np.float64))
    societal = (0.5 * output + 0.5 * matured) / output_reference
    to_public = shared_private / np.maximum(n_public, 1.0) / information_reference
    from_public = shared_public / np.maximum(sizes - n_public, 1.0)
    firms_shared = shared_private[group]
    own_followed = followed[group] * mech.divide_where(
        shared, firms_shared, private & (firms_shared != 0), np.zeros(m))
    organisational = np.where(public, to_public[group],
                              (own_followed + from_public[group]) / information_reference) \
        * terms[:, _INFORMATION_VALUE][group]
    by_motive = np.empty((3, m))
    by_motive[0] = societal[group]
    by_motive[1] = organisational
    by_motive[2] = willingness

    # trust (§7.2.9): pairs that occur in several partnerships move by the sum of changes
    followed_up = np.minimum(delivered, ratio[group])
    seen = np.where(private[src] & public[dst], followed_up[dst], delivered[dst])
    after = mech.update_trust(pair_trust, seen, build_rate, erosion_ratio,
                              terms[:, _MEETING_FACTOR][pair_group], reliability_norm)
    if turnover > 0.0:
        baseline = np.empty(pairs)
        for at in range(pairs):
            baseline[at] = prejudice[truster[at], np.intp(is_public[trusted[at]])]
        after = mech.representative_trust_loss(after, baseline, turnover, representatives)
    after = np.maximum(0.0, after - allocation_conflict * external[pair_group])
    for at in range(pairs):
        pair_label[keys[at]] = at
    label = pair_label[keys]
    new_trust = mech.within(pair_trust + np.bincount(label, after - pair_trust,
                                                     pairs)[label], 0.0, 1.0)
    for at in range(pairs):
        flat_trust[keys[at]] = new_trust[at]

    # members (§7.2.9-§7.2.10): ledgers, alignment, pulls, satisfaction
    own_motives = np.empty((3, m))
    values = np.empty(m)
    for i in range(m):
        row, org = rows[i], orgs[i]
        free_riding[row] = withheld[i]
        effort_fte[row] = effort[i]
        money_keur[row] = money[i]
        shared_items[row] = shared[i]
        for motive in range(3):
            value_by_motive[row, motive] = by_motive[motive, i]
            own_motives[motive, i] = motives[org, motive]
        values[i] = (motives[org, 0] * by_motive[0, i] + motives[org, 1] * by_motive[1, i]
                     + motives[org, 2] * by_motive[2, i])
    drifted = mech.drift_alignment(alignment[rows], goal_drift)

    def total_or_one(x):
        sums = total(x)
        return np.where(sums == 0.0, 1.0, sums)[group]

    pulls = mech.satisfaction_pulls(
        value_by_motive=by_motive, motives=own_motives, expectation=expectation[rows],
        pass_through=terms[:, _PASS_THROUGH][group],
        partners_free_riding=(total(withheld)[group] - withheld) / np.maximum(partners, 1),
        alignment=drifted,
        cost_share=0.5 * effort / total_or_one(effort) + 0.5 * money / total_or_one(money),
        value_share=values / total_or_one(values), n_members=n,
        irritation=terms[:, _IRRITATION][group], memory=memory,
        weights=(weight_free_riding, weight_unequal, weight_misaligned))
    satisfied = mech.update_satisfaction(satisfaction[rows], pulls, memory)
    for i in range(m):
        row = rows[i]
        satisfaction[row] = satisfied[i]
        for cause in range(pulls.shape[0]):
            grievances[row, cause] = mech.remember_pulls(grievances[row, cause], pulls[cause, i],
                                                         memory)
        value[row] = values[i]
        alignment[row] = drifted[i]

    # standing (§7.2.10): a firm's publicity incident is its draw below its chance
    incident = np.zeros(m, dtype=np.bool_)
    drawn = 0
    for i in range(m):
        if private[i]:
            incident[i] = draws[drawn] < incident_chance[rows[i]]
            drawn += 1
    change = np.where(public, mech.public_standing_change(societal, terms[:, _FIRMS],
                                                          favouritism_cost)[group],
                      mech.private_standing_change(incident))
    standing = mech.within(standing + np.bincount(orgs, change, len(standing)), 0.0, 1.0)

    # close: each partnership's totals, last month's flows
    trust_after = np.bincount(pair_group, new_trust, count) / pair_count
    mean_satisfaction = total(satisfied) / sizes
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
    return standing, matured, trust_after, mean_satisfaction, stage


@_cached
def _probe(anywhere, positive):
    """``exp``, ``log`` and a power as compiled code computes them (for the fingerprint)."""
    return np.concatenate((np.exp(anywhere), np.log(positive), positive ** 0.37))


def probe() -> np.ndarray:
    """What compiled code computes for the operations whose last bits depend on the machine
    (:func:`pppsim.numerics.fingerprint`)."""
    return _probe(np.linspace(-6.0, 6.0, 1001), np.linspace(1e-9, 3.0, 1001))
