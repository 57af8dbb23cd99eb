"""The model's parameters: one validated schema for scenarios, the model, the ODD and sweeps.

Every lever of the model and every uncertain behavioural quantity of a mechanism is declared
here once, with its default, allowed range, units, section of the scenario file, a one-line
justification and its source.  The scenario loader, ``PartnershipModel``'s signature, the
parameter table in ``docs/ODD.md`` (§7.1) and the bounds of sensitivity designs are all derived
from this table, so they cannot drift apart.  The few fixed constants (units, scales, bounds)
live in :mod:`pppsim.model.constants`, each with the reason it is fixed.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SECTIONS: dict[str, str] = {
    "organisations": "Who takes part: number, mix, capacities, motives",
    "trust": "Initial trust, prejudice and how trust moves",
    "information_sharing": "Barriers to sharing and the instruments that lower them",
    "follow_up": "Public capacity to act on shared information",
    "funding": "Where partnership money comes from and for how long",
    "governance": "How partnerships are designed and steered",
    "policy": "Policy instruments and partnership culture",
    "crime": "Crime harm and how prevention acts on it",
    "behaviour": "Decision thresholds and rates of the organisations",
    "decision": "How much each cause a member perceives weighs in its satisfaction",
}


def _param(
    default: Any,
    *,
    section: str,
    units: str,
    why: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """Declare one parameter: default, range, units, section, justification and source."""
    return Field(
        default,
        ge=ge,
        le=le,
        description=why,
        json_schema_extra={"section": section, "units": units, "source": source},
    )


class Parameters(BaseModel):
    """All model parameters, flat, validated, immutable.

    Scenario files group them under the sections in :data:`SECTIONS`; the model receives them
    as keyword arguments.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True,
                              allow_inf_nan=False)
    """Strict: a number must be a number (an int is fine for a float), a switch a bool; no
    text such as "0.5" or "yes", no true for 1.0, no 40.0 for an int, no NaN or infinity."""

    @model_validator(mode="before")
    @classmethod
    def _plain_numbers(cls, data: Any) -> Any:
        """NumPy scalars (from arrays a user builds designs with) as Python numbers."""
        if not isinstance(data, dict):
            return data
        return {k: _plain(v) for k, v in data.items()}

    # --- organisations -------------------------------------------------------------------
    n_organisations: int = _param(
        100, ge=4, le=5000, section="organisations", units="organisations",
        why="A city-region's relevant public bodies and firms; >=100 so partner choice matters",
        source="002 L594 (1,600 firms on one park, of which few engage)")
    public_share: float = _param(
        0.3, ge=0.05, le=0.95, section="organisations", units="fraction",
        why="Public bodies are fewer than the firms they work with",
        source="001 L97-L105; 002 L604 (a handful of public bodies per PPS)")
    public_capacity_fte: float = _param(
        0.8, ge=0.0, le=10.0, section="organisations", units="FTE per month",
        why="Staff a public body can give to partnerships; public capacity is scarce",
        source="002 L439-L441, L608 (1 FTE police coordinator)")
    private_capacity_fte: float = _param(
        1.2, ge=0.0, le=10.0, section="organisations", units="FTE per month",
        why="Staff a firm can give to partnerships (analysts, security staff)",
        source="002 L697, L725 (bank analysts one day a week at the police)")
    capacity_spread: float = _param(
        0.77, ge=0.0, le=2.0, section="organisations", units="coefficient of variation",
        why="Organisations differ widely in size; lognormal spread of capacity and budget",
        source="Assumption; varied in sensitivity analysis"
        "; calibrated to published patterns (docs/calibration.md)")
    private_budget_keur: float = _param(
        4.0, ge=0.0, le=100.0, section="organisations", units="k EUR per month",
        why="Money a firm can put into partnerships in kind",
        source="002 L576 ('manpower, means and money'); no seed gives a figure")
    public_budget_keur: float = _param(
        2.0, ge=0.0, le=100.0, section="organisations", units="k EUR per month",
        why="Money a public body can put into partnerships from its own budget",
        source="002 L608 (no structural budget; found per situation)")
    public_societal_motive: float = _param(
        0.55, ge=0.0, le=0.9, section="organisations", units="weight",
        why="Mean weight public bodies give to societal interests",
        source="002 L465-L473, L475-L501")
    private_societal_motive: float = _param(
        0.25, ge=0.0, le=0.9, section="organisations", units="weight",
        why="Mean weight firms give to societal interests (the rest is organisational/individual)",
        source="002 L505-L523; 001 L109")
    individual_motive: float = _param(
        0.1, ge=0.0, le=0.5, section="organisations", units="weight",
        why="Mean weight of representatives' individual interests (network, career)",
        source="002 L469-L471")
    opportunism_mean: float = _param(
        0.2, ge=0.0, le=0.95, section="organisations", units="propensity 0-1",
        why="Mean propensity to steer a partnership to one's own interest or free ride",
        source="001 L139; 002 L297, L575, L1294")
    network_degree: int = _param(
        8, ge=1, le=100, section="organisations", units="acquaintances",
        why="Organisations an organisation knows well enough to approach",
        source="002 L1546 (PPS often start from personal acquaintance)")
    information_spread: float = _param(
        0.1, ge=0.0, le=1.0, section="organisations", units="standard deviation",
        why="Spread of organisations' information holdings around the mean of 1",
        source="Assumption; 002 L1302 (what partners hold differs widely)"
        "; calibrated to published patterns (docs/calibration.md)")
    min_commitment_fte: float = _param(
        0.1, ge=0.01, le=1.0, section="organisations", units="FTE per month",
        why="Least staff a member puts into a partnership, however small it is",
        source="002 L733 (at least two people part-time)")
    capacity_persistence: float = _param(
        0.9, ge=0.0, le=0.999, section="organisations", units="AR(1) coefficient",
        why="Month-to-month persistence of the share of its capacity an organisation has free",
        source="002 L439, L741 (staff turnover, competing priorities); assumption for the size"
        "; calibrated to published patterns (docs/calibration.md)")
    capacity_shock_sd: float = _param(
        0.058, ge=0.0, le=0.3, section="organisations", units="standard deviation per month",
        why="Monthly shock to the share of capacity an organisation has free",
        source="002 L439, L741; assumption for the size"
        "; calibrated to published patterns (docs/calibration.md)")
    overstretch: float = _param(
        1.25, ge=1.0, le=3.0, section="organisations", units="ratio",
        why="Factor by which an organisation stretches its staff before it drops a partnership",
        source="002 L1061 (parties could not deliver people); 001 L201-L205")
    standing_baseline: float = _param(
        0.7, ge=0.0, le=1.0, section="organisations", units="standing 0-1",
        why="Legitimacy or reputation an organisation starts at and returns to",
        source="002 L1254-L1258; assumption for the level")
    standing_recovery: float = _param(
        0.02, ge=0.0, le=0.5, section="organisations", units="per month",
        why="Share of the gap to the baseline standing recovered each month",
        source="002 L1254-L1258; assumption for the rate")

    # --- trust ----------------------------------------------------------------------------
    initial_trust: float = _param(
        0.5, ge=0.0, le=1.0, section="trust", units="trust 0-1",
        why="Trust between acquainted organisations of the same sector at the start",
        source="002 L1250 (trust starts relatively low); 001 L137")
    sector_prejudice: float = _param(
        0.15, ge=0.0, le=0.5, section="trust", units="trust 0-1",
        why="Trust deducted across sectors for prejudice and differing norms",
        source="001 L73, L139, L311")
    power_imbalance: float = _param(
        0.05, ge=0.0, le=0.5, section="trust", units="trust 0-1",
        why="Extra trust deducted from firms towards the more powerful public side",
        source="001 L139")
    trust_build_rate: float = _param(
        0.04, ge=0.0, le=0.5, section="trust", units="per month",
        why="Share of the gap to full trust closed by a month of reliable cooperation",
        source="Klos & Nooteboom 2001; 001 L137 (trust takes time, small steps)")
    trust_erosion_ratio: float = _param(
        3.0, ge=1.0, le=10.0, section="trust", units="ratio",
        why="Trust is lost this many times faster than it is built",
        source="Slovic 1993; Pant & Yu 2025 (median ratio about 3)")
    representatives_per_member: int = _param(
        1, ge=1, le=5, section="trust", units="persons",
        why="People each member sends; trust is built person to person and a departing "
        "representative takes their share of it; each carries knowledge home",
        source="002 L733 (at least 2 persons per organisation for continuity), L899, L721")
    representative_turnover: float = _param(
        0.02, ge=0.0, le=0.2, section="trust", units="per representative per month",
        why="Chance a representative is replaced in a month (rotation, job change)",
        source="002 L899 (continuity of staffing supports trust); assumption for the rate")
    reliability_norm: float = _param(
        0.8, ge=0.05, le=1.0, section="trust", units="fraction of commitment",
        why="Delivered share of a promise that partners take as reliable: above it trust grows",
        source="001 L137, L141; Klos & Nooteboom 2001")
    meeting_half_saturation: float = _param(
        0.5, ge=0.05, le=5.0, section="trust", units="meetings per month",
        why="Meeting frequency at which meeting's trust-building effect is half its maximum",
        source="001 L141 (regular meetings build trust); assumption for the size")

    # --- information sharing --------------------------------------------------------------
    legal_barrier: float = _param(
        0.4, ge=0.0, le=1.0, section="information_sharing", units="barrier 0-1",
        why="Share of information that law (privacy, police data, AML) keeps from being shared",
        source="001 L222-L252; 002 L1254, L1316-L1324")
    organisational_barrier: float = _param(
        0.3, ge=0.0, le=1.0, section="information_sharing", units="barrier 0-1",
        why="Share withheld for confidentiality, unclear risks and culture",
        source="001 L222, L236; 002 L1306-L1312")
    technical_barrier: float = _param(
        0.3, ge=0.0, le=1.0, section="information_sharing", units="barrier 0-1",
        why="Share lost to separate, incompatible ICT systems",
        source="001 L222-L226; 002 L760, L1316")
    platform_share: float = _param(
        0.2, ge=0.0, le=1.0, section="information_sharing", units="fraction of partnerships",
        why="Chance a new partnership sets up a secure shared platform",
        source="001 L252, L272-L275 (digital platform)")
    platform_relief: float = _param(
        0.6, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="Share of the technical barrier a secure platform removes",
        source="001 L252; assumption for the size")
    pet_share: float = _param(
        0.0, ge=0.0, le=1.0, section="information_sharing", units="fraction of partnerships",
        why="Chance a new partnership shares through privacy-enhancing technology (e.g. "
        "multi-party computation) instead of disclosing the data",
        source="002 L1322 (valuable without sharing personal data), L1637-L1639 (MPC)")
    pet_legal_relief: float = _param(
        0.7, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="Share of the legal barrier privacy-enhancing technology removes",
        source="002 L1322, L1637; assumption for the size")
    pet_value_kept: float = _param(
        0.8, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="Share of the value of an item that an analysis without disclosure keeps",
        source="002 L1322, L1637; assumption for the size")
    pet_cost_keur: float = _param(
        2.0, ge=0.0, le=50.0, section="information_sharing", units="k EUR per month",
        why="Running cost of the privacy-enhancing technology, paid from the partnership's money",
        source="002 L1316-L1318 (technical challenges of secure exchange); assumption")
    confidentiality_share: float = _param(
        0.4, ge=0.0, le=1.0, section="information_sharing", units="fraction of partnerships",
        why="Chance a new partnership signs a confidentiality agreement",
        source="001 L252")
    confidentiality_relief: float = _param(
        0.5, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="Share of the organisational barrier a confidentiality agreement removes",
        source="001 L252; 002 L1332 (traffic-light protocol)")
    covenant_legal_relief: float = _param(
        0.4, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="Share of the legal barrier a covenant or contract with a legal basis removes",
        source="002 L803 (covenant + Art. 20 WPG decision), L885")
    public_sharing_factor: float = _param(
        0.5, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="Public partners share less: sharing may endanger investigations",
        source="002 L1312, L1346")
    umbrella_information_factor: float = _param(
        0.7, ge=0.0, le=1.0, section="information_sharing", units="fraction",
        why="An umbrella organisation passes on generic rather than firm-specific information",
        source="001 L103; assumption for the size")

    # --- follow-up ------------------------------------------------------------------------
    follow_up_capacity: float = _param(
        1.0, ge=0.0, le=4.0, section="follow_up", units="multiplier",
        why="Public capacity to follow up shared information, relative to the default",
        source="002 L1242, L439")
    follow_up_share: float = _param(
        0.5, ge=0.05, le=1.0, section="follow_up", units="fraction",
        why="Share of a public member's committed staff that works on follow-up",
        source="002 L1242 (follow-up competes with other priorities)")

    # --- funding --------------------------------------------------------------------------
    grant_share: float = _param(
        0.3, ge=0.0, le=1.0, section="funding", units="fraction of partnerships",
        why="Share of new partnerships financed by a time-limited external grant",
        source="002 L578, L687, L725, L803, L822 (ministry programmes)")
    structural_share: float = _param(
        0.2, ge=0.0, le=1.0, section="funding", units="fraction of partnerships",
        why="Share financed from a structural public budget; the rest is in kind",
        source="001 L193; 002 L578")
    grant_months: int = _param(
        24, ge=1, le=240, section="funding", units="months",
        why="Duration of an external grant",
        source="002 L917 (yearly budgets 2023-2025); pilots of 2 years (002 L751-L753)")
    grant_keur: float = _param(
        8.0, ge=0.0, le=200.0, section="funding", units="k EUR per month",
        why="Money a grant brings each month (coordinator, analysts)",
        source="002 L917 (EUR 2.4M a year over many PPS); no per-PPS figure in the seeds")
    structural_keur: float = _param(
        8.0, ge=0.0, le=200.0, section="funding", units="k EUR per month",
        why="Money a structural budget brings each month",
        source="001 L193")
    grant_renewal_probability: float = _param(
        0.25, ge=0.0, le=1.0, section="funding", units="probability",
        why="Chance a grant is replaced by structural money when it ends",
        source="002 L683 (embedding after the pilot is the hard part)")
    grant_strictness: float = _param(
        0.3, ge=0.0, le=1.0, section="funding", units="0-1",
        why="How strict grant requirements are: reporting overhead, deterred partners",
        source="001 L281")
    allocation_conflict: float = _param(
        0.004, ge=0.0, le=0.05, section="funding", units="trust per month",
        why="Trust lost each month to conflict over external money, at full external funding",
        source="002 L578")
    private_subsidy: float = _param(
        0.0, ge=0.0, le=1.0, section="funding", units="0-1",
        why="Subsidy or tax relief that makes joining attractive to firms",
        source="001 L125-L133; 002 L453")
    grant_reporting_overhead: float = _param(
        0.15, ge=0.0, le=0.5, section="funding", units="fraction of effort",
        why="Share of effort a fully strict grant takes for reporting",
        source="001 L281")

    # --- governance -----------------------------------------------------------------------
    governance: float = _param(
        0.5, ge=0.0, le=1.0, section="governance", units="0 trust-based .. 1 control-based",
        why="Mean governance style of new partnerships",
        source="002 L1286-L1296")
    governance_spread: float = _param(
        0.15, ge=0.0, le=0.5, section="governance", units="standard deviation",
        why="Spread of governance styles around the mean",
        source="002 L1294 (both extremes occur in practice)")
    control_overhead: float = _param(
        0.3, ge=0.0, le=0.9, section="governance", units="fraction of effort",
        why="Effort spent on agreements and monitoring at fully control-based governance",
        source="002 L1292 ('talk instead of action'), L1272")
    control_efficacy: float = _param(
        0.8, ge=0.0, le=1.0, section="governance", units="fraction",
        why="Share of opportunism curbed by fully control-based governance",
        source="002 L1292; Cao & Lumineau 2015")
    trust_governance_bonus: float = _param(
        0.5, ge=0.0, le=2.0, section="governance", units="fraction of value",
        why="Extra value trust-based governance creates when goals are complementary",
        source="002 L1290")
    agreement_formality: float = _param(
        0.5, ge=0.0, le=1.0, section="governance", units="0 none .. 1 legal entity",
        why="Mean formality of agreements: none, MoU, covenant, contract, legal entity",
        source="001 L169-L187; 002 L307, L577")
    meeting_interval_months: float = _param(
        2.0, ge=0.25, le=12.0, section="governance", units="months",
        why="Time between partnership meetings (Holsteiner every 3-4 weeks, Nacka 6 a year)",
        source="001 L141, L153; 002 L608-L610")
    meeting_cost_fte: float = _param(
        0.08, ge=0.0, le=1.0, section="governance", units="FTE per meeting per member",
        why="Staff time a meeting takes from each member",
        source="001 L193 (document the time participation takes)")
    meeting_tolerance_per_month: float = _param(
        0.75, ge=0.05, le=8.0, section="governance", units="meetings per month",
        why="Meeting frequency above which members get irritated",
        source="001 L141 ('too many meetings a source of irritation')")
    evaluation_interval_months: int = _param(
        12, ge=0, le=120, section="governance", units="months (0 = never)",
        why="Time between formal evaluations; about yearly is recommended",
        source="001 L283; 002 L535, L1162-L1187; ECTF covenant evaluated after a year")
    exit_strategy_share: float = _param(
        0.5, ge=0.0, le=1.0, section="governance", units="fraction of partnerships",
        why="Chance a partnership agrees an exit strategy; without one ending drags on",
        source="002 L1139, L1185, L1242")
    agreement_formality_spread: float = _param(
        0.15, ge=0.0, le=0.5, section="governance", units="standard deviation",
        why="Spread of agreement formality around the mean",
        source="001 L169-L187 (every form from none to a legal entity occurs)")
    scope_domains: int = _param(
        1, ge=1, le=4, section="governance", units="crime domains",
        why="Crime domains a partnership takes on: its founding domain and the next its "
        "members care most about",
        source="002 L570-L572 (scope from one domain to subversion in general)")
    scope_conflict: float = _param(
        0.08, ge=0.0, le=0.3, section="governance", units="fraction per extra domain",
        why="Effort lost to, and alignment lost in, discussions about priorities, per domain "
        "beyond the first",
        source="002 L743 (a clearly bounded scope leaves few discussions about priorities); "
        "001 L210 (focus on a limited number of actions); assumption for the size")
    meeting_irritation: float = _param(
        0.04, ge=0.0, le=0.5, section="governance", units="satisfaction per month",
        why="Satisfaction lost each month for each meeting a month above the tolerated number",
        source="001 L141 ('too many meetings a source of irritation'); assumption for the size")
    role_clarity: float = _param(
        0.5, ge=0.0, le=1.0, section="governance", units="fraction",
        why="Share of free riding a fully formal agreement with explicit tasks removes",
        source="001 L62, L80, L313")

    # --- policy ---------------------------------------------------------------------------
    umbrella_partnering: float = _param(
        0.2, ge=0.0, le=1.0, section="policy", units="probability",
        why="Chance a public initiator engages a sector through its umbrella organisation",
        source="001 L103 (impartiality: approach the industry federation)")
    trusted_intermediary: bool = _param(
        False, section="policy", units="on/off",
        why="A trusted intermediary introduces partners and vouches for them",
        source="001 L272-L275 (trustee for vulnerable sectors)")
    partnership_culture: float = _param(
        0.0, ge=0.0, le=1.0, section="policy", units="0-1",
        why="Policy that builds PPP capability: knowledge, routines, a PPS office",
        source="002 L1554-L1610; 001 L285")
    intermediary_introductions: int = _param(
        3, ge=1, le=20, section="policy", units="organisations",
        why="Organisations from the other sector a trusted intermediary introduces",
        source="001 L272-L275; assumption for the number")
    intermediary_trust: float = _param(
        0.1, ge=0.0, le=0.5, section="policy", units="trust 0-1",
        why="Trust a trusted intermediary's vouching adds, both ways, towards those it introduces",
        source="001 L272-L275; assumption for the size")

    # --- crime ----------------------------------------------------------------------------
    harm_adaptation_rate: float = _param(
        0.014, ge=0.0, le=0.5, section="crime", units="per month",
        why="Rate at which prevented harm returns as criminals adapt their modus operandi",
        source="002 L429-L431"
        "; calibrated to published patterns (docs/calibration.md)")
    harm_trend: float = _param(
        0.002, ge=-0.02, le=0.05, section="crime", units="per month",
        why="Underlying growth of harm (digitalisation, new modus operandi)",
        source="002 L431")
    prevention_delay_months: int = _param(
        6, ge=0, le=48, section="crime", units="months",
        why="Delay before prevention shows as lower harm",
        source="001 L191 (no immediately measurable results)")
    prevention_effectiveness: float = _param(
        0.034, ge=0.0, le=5.0, section="crime", units="harm points per output unit",
        why="Harm prevented per unit of joint output; calibrated to about -10% harm",
        source="MacDonald et al. 2010; Cook & MacDonald 2011"
        "; calibrated to published patterns (docs/calibration.md)")
    information_weight: float = _param(
        0.46, ge=0.05, le=2.0, section="crime", units="output per item followed up",
        why="Joint output from each information item the public side acts on",
        source="001 L220-L252, 002 L578, L1302-L1330 (sharing and acting on information is "
        "the core of crime-fighting partnerships); assumption for the size"
        "; calibrated to published patterns (docs/calibration.md)")
    harm_noise_sd: float = _param(
        0.01, ge=0.0, le=0.1, section="crime", units="relative, per month",
        why="Monthly noise in each domain's underlying harm (new modus operandi)",
        source="002 L429-L431; assumption for the size")

    # --- behaviour ------------------------------------------------------------------------
    initiation_rate: float = _param(
        0.034, ge=0.0, le=0.5, section="behaviour", units="per organisation per month",
        why="Base chance an organisation with unmet needs starts a formation attempt",
        source="002 L545-L547 (PPS when it is the best option)"
        "; calibrated to published patterns (docs/calibration.md)")
    max_partnerships: int = _param(
        3, ge=1, le=20, section="behaviour", units="partnerships",
        why="Most partnerships an organisation takes part in at once",
        source="002 L741 (balance PPS work and home work)")
    join_threshold: float = _param(
        0.4, ge=0.0, le=1.5, section="behaviour", units="utility",
        why="Expected utility an invitee needs before it joins",
        source="Tomasello et al. 2017 (threshold partner formation)"
        "; calibrated to published patterns (docs/calibration.md)")
    extra_partners_mean: float = _param(
        1.2, ge=0.0, le=8.0, section="behaviour", units="partners",
        why="Mean number of partners an initiator seeks beyond the minimum two",
        source="002 L575 (bilateral to multi-partner); Tomasello et al. 2017 (alliance sizes)")
    negotiation_months: float = _param(
        4.0, ge=1.0, le=36.0, section="behaviour", units="months",
        why="Typical negotiation time at medium trust and governance",
        source="002 L986-L987 (finding the win-win takes much time), L1119-L1129")
    negotiation_breakdown: float = _param(
        0.08, ge=0.0, le=0.5, section="behaviour", units="per month",
        why="Monthly chance negotiation breaks down at zero trust and no goal overlap",
        source="001 L311 (incompatible priorities block formation)")
    satisfaction_memory: float = _param(
        0.2, ge=0.01, le=1.0, section="behaviour", units="per month",
        why="Weight of the latest month in a member's satisfaction",
        source="002 L1038-L1055 (satisfaction judged on goals and functioning)")
    exit_threshold: float = _param(
        0.27, ge=0.0, le=1.0, section="behaviour", units="satisfaction 0-1",
        why="Satisfaction under which a member starts to consider leaving",
        source="002 L1203, L1280-L1282"
        "; calibrated to published patterns (docs/calibration.md)")
    exit_patience_months: int = _param(
        6, ge=1, le=60, section="behaviour", units="months",
        why="Months below the threshold before a member leaves (doubled without exit strategy)",
        source="002 L1185 (exits happen too rarely or too late)")
    priority_shift_hazard: float = _param(
        0.0007, ge=0.0, le=0.1, section="behaviour", units="per member per month",
        why="Chance a member's board or constituency withdraws support",
        source="002 L1061, L1203")
    standing_exit_threshold: float = _param(
        0.3, ge=0.0, le=1.0, section="behaviour", units="0-1",
        why="Legitimacy (public) or reputation (private) under which a member leaves",
        source="002 L1254-L1258")
    favouritism_legitimacy_cost: float = _param(
        2.3e-05, ge=0.0, le=0.2, section="behaviour", units="per month",
        why="Legitimacy a public member loses each month in a partnership whose private side is "
        "one firm; divided by the number of firms the private members represent",
        source="001 L103; 002 L1254 (a public body cannot favour individual firms)"
        "; calibrated to published patterns (docs/calibration.md)")
    learning_rate: float = _param(
        0.01, ge=0.0, le=0.2, section="behaviour", units="per month",
        why="Share of the gap to full PPP capability closed by a month of partnering",
        source="002 L1554-L1590")
    private_initiative: float = _param(
        0.4, ge=0.0, le=2.0, section="behaviour", units="ratio",
        why="Chance that a firm rather than a public body initiates, relative",
        source="001 L97 (the public side usually initiates)")
    screening_strength: float = _param(
        1.0, ge=0.0, le=1.0, section="behaviour", units="fraction",
        why="Due diligence: chance of spotting an opportunist, per capability x opportunism",
        source="001 L101")
    max_refusals: int = _param(
        3, ge=1, le=20, section="behaviour", units="refusals",
        why="Refusals after which an initiator gives up recruiting",
        source="Tomasello et al. 2017")
    partner_choice_fit_weight: float = _param(
        0.5, ge=0.0, le=1.0, section="behaviour", units="weight",
        why="Weight of goal fit against trust when choosing whom to invite",
        source="Klos & Nooteboom 2001; 002 L1117")
    coordination_cost: float = _param(
        0.06, ge=0.0, le=0.3, section="behaviour", units="utility per partner",
        why="Utility an invitee deducts for each partner beyond two",
        source="Tomasello et al. 2017")
    goal_months: int = _param(
        72, ge=6, le=240, section="behaviour", units="months of reference output",
        why="Goal a partnership sets in negotiation, in months of output doing its job",
        source="002 L1123 (goals agreed in negotiation); assumption for the size")
    output_reference: float = _param(
        0.8, ge=0.05, le=10.0, section="behaviour", units="output per month",
        why="Monthly output that members regard as a partnership doing its job",
        source="002 L1038-L1055 (members judge results against goals); assumption")
    information_reference: float = _param(
        0.26, ge=0.05, le=10.0, section="behaviour", units="information items per month",
        why="Information items per month a member regards as a worthwhile return",
        source="002 L1242 (firms expect returned information); assumption"
        "; calibrated to published patterns (docs/calibration.md)")
    initial_satisfaction: float = _param(
        0.7, ge=0.0, le=1.0, section="behaviour", units="satisfaction 0-1",
        why="Satisfaction of members at launch: they start hopeful",
        source="002 L1038-L1055; assumption for the level")
    optimism_mean: float = _param(
        0.15, ge=-0.5, le=1.0, section="behaviour", units="fraction of value",
        why="Mean over-estimate of value in negotiation",
        source="002 L846 ('under-promise, over-deliver')")
    optimism_sd: float = _param(
        0.35, ge=0.0, le=1.0, section="behaviour", units="fraction of value",
        why="Spread of misestimated value when expectations are left fully implicit",
        source="002 L1173, L1288-L1296")
    recruit_probability: float = _param(
        0.02, ge=0.0, le=0.2, section="behaviour", units="per month",
        why="Monthly chance a thriving partnership recruits a newcomer",
        source="002 L897 (interim successes attract)")
    philanthropic_stage_value: float = _param(
        0.85, ge=0.1, le=1.0, section="behaviour", units="multiplier",
        why="Value of joint work at Austin's philanthropic stage (transactional = 1)",
        source="001 L149-L161; assumption for the size")
    integrative_stage_value: float = _param(
        1.2, ge=1.0, le=3.0, section="behaviour", units="multiplier",
        why="Value of joint work at the integrative stage: merged missions create more",
        source="001 L149-L161; assumption for the size")

    # --- decision -------------------------------------------------------------------------
    weight_free_riding: float = _param(
        0.25, ge=0.0, le=2.0, section="decision", units="satisfaction per share withheld",
        why="Satisfaction a member's target loses per unit of its partners' mean free riding",
        source="002 L575, L897 (all must contribute); Fischbacher & Gachter 2010")
    weight_unequal_benefits: float = _param(
        0.15, ge=0.0, le=2.0, section="decision", units="satisfaction per unit of excess burden",
        why="Satisfaction lost per unit of (burden share - benefit share) x members",
        source="002 L897 ('give and take'), L1061; assumption for the size")
    weight_misaligned_goals: float = _param(
        0.3, ge=0.0, le=2.0, section="decision", units="satisfaction per unit of misalignment",
        why="Satisfaction lost per unit of misalignment (1 - alignment of the partnership's "
        "goals with the member's own)",
        source="002 L1061, L1203; assumption for the size")
    goal_drift: float = _param(
        0.02, ge=0.0, le=0.1, section="decision", units="per month",
        why="Share of its alignment with the partnership's goals a member loses each month as "
        "its own priorities move; an evaluation realigns the goals",
        source="002 L1198-L1203 (priorities shift during the ride), L739 (evaluate regularly "
        "whether it still meets the parties' wishes)")
    reciprocity: float = _param(
        0.5, ge=0.0, le=1.0, section="decision", units="fraction",
        why="Share of its partners' withheld contribution a member matches (conditional "
        "cooperation)",
        source="Fischbacher & Gachter 2010 (imperfect conditional cooperation); 002 L575")

    @model_validator(mode="after")
    def _funding_shares_add_up(self) -> Parameters:
        if self.grant_share + self.structural_share > 1.0 + 1e-12:
            raise ValueError(
                "funding.grant_share + funding.structural_share must be at most 1 "
                f"(got {self.grant_share} + {self.structural_share})"
            )
        return self


def _plain(value: Any) -> Any:
    """A NumPy bool, integer or float as the Python equivalent; anything else unchanged."""
    module = type(value).__module__
    if module != "numpy" or not hasattr(value, "item"):
        return value
    plain = value.item()
    return plain if isinstance(plain, bool | Integral | Real) else value


def parameter_table() -> list[dict[str, Any]]:
    """One row per parameter: name, section, type, default, min, max, units, why, source."""
    rows = []
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra or {}
        lo, hi = allowed_range(name)
        rows.append(
            {
                "name": name,
                "section": extra["section"],
                "type": field.annotation.__name__,
                "default": field.default,
                "min": lo,
                "max": hi,
                "units": extra["units"],
                "why": field.description,
                "source": extra["source"],
            }
        )
    return rows


def allowed_range(name: str) -> tuple[float | None, float | None]:
    """A parameter's allowed (min, max) from the schema; (None, None) for a switch."""
    lo = hi = None
    for meta in Parameters.model_fields[name].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def section_of(name: str) -> str:
    """The scenario-file section a parameter belongs in."""
    return Parameters.model_fields[name].json_schema_extra["section"]


DEFAULTS: dict[str, Any] = {name: f.default for name, f in Parameters.model_fields.items()}


def parameter_markdown() -> str:
    """The parameter table as Markdown, by section (embedded in docs/ODD.md, tested)."""
    lines = []
    rows = parameter_table()
    for section, title in SECTIONS.items():
        lines += [f"**[{section}]** {title}", "",
                  "| parameter | default | range | units | justification | source |",
                  "|---|---|---|---|---|---|"]
        for r in rows:
            if r["section"] != section:
                continue
            span = f"{r['min']}–{r['max']}" if r["min"] is not None else "true/false"
            default = str(r["default"]).lower() if isinstance(r["default"], bool) \
                else r["default"]
            lines.append(f"| `{r['name']}` | {default} | {span} | {r['units']} | {r['why']} "
                         f"| {r['source']} |")
        lines.append("")
    return "\n".join(lines)
