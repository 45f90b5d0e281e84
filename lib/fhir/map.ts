import * as f from "../import/fields";
import { Invalid } from "../import/fields";
import {
  CANCELLED_REQUEST_STATUSES,
  CENTRAL_DXA_CPT,
  CENTRAL_DXA_LOINC,
  ORDER_INTENTS,
  SPANLESS_COVERAGE_STATUSES,
  SYSTEMS,
  productLineOfPaymentCode,
  type ProductLine,
} from "./codes";
import { datePart, optionalDatePart } from "./dates";
import { anyCode, codingOf, firstCoding, hasCode, isObject, list, shown, text, type ElementProblem, type JsonObject } from "./elements";
import { readReference, type BundleIndex, type ReadReference } from "./references";

// SPEC section 3b, one resource at a time: what a resource becomes in the warehouse tables of
// section 3, the references those rows still need resolved (to resources of this import or
// already loaded: lib/fhir/resolve.ts does that in SQL), and the problems of each element.
// Values pass the same cell rules as the CSV files (lib/import/fields.ts), so a FHIR import and
// a CSV import of the same facts store the same values.

/** What a reference is needed for: a member (Patient), the plan billed (Coverage → plan_id), a
 *  payer name (Organization), an NPI (Practitioner, PractitionerRole → Practitioner). */
export type ReferenceRole = "member" | "plan" | "payer" | "npi";

/** A reference to resolve, named by the element path it was read at (unique per resource). */
export type StagedReference = { path: string; raw: string; role: ReferenceRole; type: string; id: string };

export type MemberRow = { member_id: string; birth_date: string; sex: "F" | "M" | "U"; key_path: string };

/** The plan a Coverage names. `payer` is the reference's display, which the name of the
 *  Organization `payer_org_id` replaces when it has one. The paths name the elements that a
 *  conflict between two Coverages of one plan is reported at. */
export type PlanRow = {
  plan_id: string;
  payer: string | null;
  payer_org_id: string | null;
  plan_name: string;
  product_line: ProductLine;
  /** The typology code as written ("" when none), shown when two Coverages disagree. */
  product_line_code: string;
  payer_path: string;
  name_path: string;
  product_line_path: string;
};

export type SpanRow = { member_id: string; plan_id: string; start_date: string; end_date: string | null; key_path: string };

export type OrderRow = {
  order_id: string;
  member_id: string;
  order_date: string;
  /** Given by the requester itself (a logical or conditional NPI reference) … */
  ordering_npi: string | null;
  /** … or read from the Practitioner or PractitionerRole it references. */
  npi_type: string | null;
  npi_id: string | null;
  status: "active" | "cancelled";
  key_path: string;
};

export type ClaimLineRow = {
  claim_id: string;
  line_number: string;
  frequency_code: "1" | "7" | "8";
  received_date: string;
  member_id: string;
  /** The Coverage whose plan the line bills. */
  coverage_id: string;
  claim_type: "professional" | "institutional";
  service_date: string;
  procedure_code: string;
  modifiers: string;
  place_of_service: string | null;
  line_status: "paid" | "denied" | "pending";
  units: string;
  billed_amount: string | null;
  paid_amount: string | null;
  rendering_npi: string | null;
  npi_type: string | null;
  npi_id: string | null;
  diagnosis_codes: string;
  /** The item, for a duplicate line's report. */
  key_path: string;
};

export type MappedRows = {
  member?: MemberRow;
  plan?: PlanRow;
  span?: SpanRow;
  order?: OrderRow;
  lines?: ClaimLineRow[];
  refs?: StagedReference[];
};

export type ResourceReading = {
  /** The patient the resource is about (fhir_resources.patient_id). */
  patientId: string | null;
  /** What a reference to this resource reads (fhir_resources.referenced_value, _via). */
  referencedValue: string | null;
  referencedVia: string | null;
  /** The warehouse rows it becomes; null when it becomes none (not a mapped resource, not a
   *  DXA order, not a claim) or when it has problems. */
  rows: MappedRows | null;
  problems: ElementProblem[];
};

export type MapContext = {
  /** Today (`YYYY-MM-DD`): birth dates after it are refused, as in members.csv. */
  today: string;
  /** The entries of the Bundle the resource came in (null for NDJSON). */
  bundle: BundleIndex | null;
};

/** Reads one resource whose `resourceType` and `id` are already checked. */
export function readResource(resource: JsonObject, ctx: MapContext): ResourceReading {
  const type = resource.resourceType as string;
  const reading = new Reading(type, ctx);
  const reader = READERS[type];
  const rows = reader ? reader(resource, reading) : null;
  return {
    patientId: patientIdOf(resource, ctx.bundle),
    referencedValue: reading.referencedValue,
    referencedVia: reading.referencedVia,
    rows: rows && reading.problems.length === 0 ? { ...rows, ...(reading.refs.length > 0 ? { refs: reading.refs } : {}) } : null,
    problems: reading.problems,
  };
}

/** Collects one resource's problems and references. */
class Reading {
  readonly problems: ElementProblem[] = [];
  readonly refs: StagedReference[] = [];
  referencedValue: string | null = null;
  referencedVia: string | null = null;

  constructor(
    readonly type: string,
    readonly ctx: MapContext,
  ) {}

  /** Reports a problem once (an element shared by several items is read for each). */
  problem(path: string, value: unknown, reason: string): void {
    const problem = { path: `${this.type}.${path}`, value: shown(value), reason };
    if (!this.problems.some((p) => p.path === problem.path && p.reason === problem.reason)) this.problems.push(problem);
  }

  /** The parsed value, or null after reporting why it is refused. */
  check<T extends string>(path: string, raw: unknown, parsed: T | Invalid): T | null {
    if (parsed instanceof Invalid) {
      this.problem(path, raw, parsed.reason);
      return null;
    }
    return parsed;
  }

  /** Records a reference to resolve (checked to exist); returns the id it names. */
  ref(path: string, ref: Extract<ReadReference, { kind: "resource" }>, role: ReferenceRole): string {
    const full = `${this.type}.${path}`;
    if (!this.refs.some((r) => r.path === full)) this.refs.push({ path: full, raw: ref.raw, role, type: ref.type, id: ref.id });
    return ref.id;
  }

  /** A required date element. */
  date(path: string, value: unknown, what: string): string | null {
    if (value === undefined || value === null) {
      this.problem(path, "", `required: ${what}`);
      return null;
    }
    return this.check(path, value, datePart(value));
  }

  /** The member a Patient reference names. */
  patient(path: string, element: unknown): string | null {
    const ref = readReference(element, this.ctx.bundle);
    if (ref.kind === "resource" && ref.type === "Patient") {
      this.ref(path, ref, "member");
      return ref.id;
    }
    if (ref.kind === "absent") this.problem(path, ref.display ?? "", "required: the member (a reference to a Patient)");
    else if (ref.kind === "unreadable") this.problem(path, ref.raw, ref.reason);
    else this.problem(path, ref.raw, "must reference a Patient");
    return null;
  }

  /** The NPI of a practitioner reference: given in the reference itself, or to be read from the
   *  Practitioner or PractitionerRole it names. A reference to anything else (an Organization, a
   *  Device) gives no NPI. */
  practitioner(path: string, element: unknown): Practitioner | null {
    const ref = readReference(element, this.ctx.bundle);
    switch (ref.kind) {
      case "resource":
        if (ref.type === "Practitioner" || ref.type === "PractitionerRole") return { npi: null, npiType: ref.type, npiId: this.ref(path, ref, "npi") };
        return NO_PRACTITIONER;
      case "npi": {
        const npi = this.check(path, ref.npi, f.npi(ref.npi, this.ctx));
        return npi === null ? null : { npi, npiType: null, npiId: null };
      }
      case "absent":
        return NO_PRACTITIONER;
      case "unreadable":
        this.problem(path, ref.raw, ref.reason);
        return null;
    }
  }
}

type Practitioner = { npi: string | null; npiType: string | null; npiId: string | null };
const NO_PRACTITIONER: Practitioner = { npi: null, npiType: null, npiId: null };

type Reader = (resource: JsonObject, reading: Reading) => MappedRows | null;

const READERS: Record<string, Reader> = {
  Patient: readPatient,
  Coverage: readCoverage,
  ServiceRequest: readServiceRequest,
  ExplanationOfBenefit: readExplanationOfBenefit,
  Organization: (resource, reading) => {
    reading.referencedValue = text(resource.name);
    return null;
  },
  Practitioner: (resource, reading) => {
    reading.referencedValue = npiIdentifier(resource);
    return null;
  },
  PractitionerRole: (resource, reading) => {
    // Its practitioner, by NPI or by reference (followed when the role is referenced). What
    // cannot be read here is reported where the role is used, if it ever is.
    const ref = readReference(resource.practitioner, reading.ctx.bundle);
    if (ref.kind === "npi") reading.referencedValue = ref.npi;
    else if (ref.kind === "resource" && ref.type === "Practitioner") reading.referencedVia = `Practitioner/${ref.id}`;
    return null;
  },
};

function npiIdentifier(resource: JsonObject): string | null {
  for (const identifier of list(resource.identifier)) {
    if (isObject(identifier) && identifier.system === SYSTEMS.npi && typeof identifier.value === "string") return identifier.value;
  }
  return null;
}

const SEX: Record<string, "F" | "M"> = { female: "F", male: "M" };

function readPatient(resource: JsonObject, reading: Reading): MappedRows {
  const birthDate = reading.date("birthDate", resource.birthDate, "a member's birth date");
  if (birthDate !== null && birthDate > reading.ctx.today) reading.problem("birthDate", resource.birthDate, `is after today (${reading.ctx.today})`);
  const sex = SEX[text(resource.gender) ?? ""] ?? "U";
  return { member: { member_id: resource.id as string, birth_date: birthDate ?? "", sex, key_path: "Patient.id" } };
}

const planId = f.text(1, 64);
const name = f.text(1, 200);

/** The class of a Coverage that names its plan: type `plan`, else `group`. */
function planClass(resource: JsonObject): { index: number; element: JsonObject } | null {
  const classes = list(resource.class);
  for (const wanted of ["plan", "group"]) {
    const index = classes.findIndex((c) => isObject(c) && hasCode(c.type, wanted));
    if (index !== -1) return { index, element: classes[index] as JsonObject };
  }
  return null;
}

function readCoverage(resource: JsonObject, reading: Reading): MappedRows {
  const id = resource.id as string;
  const chosen = planClass(resource);
  let plan: string | null = id;
  let planName: string | null = id;
  let namePath = "id";
  if (chosen) {
    const path = `class[${chosen.index}]`;
    const value = chosen.element.value;
    plan = reading.check(`${path}.value`, value, typeof value === "string" ? planId(value, reading.ctx) : new Invalid(value === undefined ? "required: the plan id" : "must be a string"));
    const given = chosen.element.name;
    namePath = given === undefined ? `${path}.value` : `${path}.name`;
    planName = given === undefined ? plan : reading.check(namePath, given, typeof given === "string" ? name(given, reading.ctx) : new Invalid("must be a string"));
  }
  reading.referencedValue = plan;

  const payment = codingOf(resource.type, SYSTEMS.sourceOfPayment);
  const productLine = productLineOfPaymentCode(payment?.code ?? null);
  const productLinePath = payment ? `type.coding[${payment.index}].code` : "type";

  // The payer: the name of the Organization payor[0] references, or the reference's display.
  const payorElement = list(resource.payor)[0];
  let payer: string | null = null;
  let payerOrg: string | null = null;
  const payor = readReference(payorElement, reading.ctx.bundle);
  const display = isObject(payorElement) ? payorElement.display : undefined;
  if (payor.kind === "unreadable") {
    reading.problem("payor[0]", payor.raw, payor.reason);
  } else if (payor.kind === "resource" && payor.type === "Organization") {
    payerOrg = reading.ref("payor[0]", payor, "payer");
  } else if (display === undefined) {
    const value = payor.kind === "absent" ? "" : payor.raw;
    reading.problem("payor[0]", value, payorElement === undefined ? "required: the payer (payor[0], an Organization)" : "the payer's name is needed: reference an Organization or give a display");
  }
  if (display !== undefined) payer = reading.check("payor[0].display", display, typeof display === "string" ? name(display, reading.ctx) : new Invalid("must be a string"));

  const rows: MappedRows = {};
  if (plan !== null && planName !== null) {
    rows.plan = {
      plan_id: plan,
      payer,
      payer_org_id: payerOrg,
      plan_name: planName,
      product_line: productLine,
      product_line_code: payment?.code ?? "",
      payer_path: "Coverage.payor[0]",
      name_path: `Coverage.${namePath}`,
      product_line_path: `Coverage.${productLinePath}`,
    };
  }
  // A cancelled Coverage, or one entered in error, makes its plan known but gives no span.
  if (SPANLESS_COVERAGE_STATUSES.has(text(resource.status) ?? "")) return rows;
  const member = reading.patient("beneficiary", resource.beneficiary);
  const period = isObject(resource.period) ? resource.period : {};
  const start = reading.date("period.start", period.start, "the start of the enrollment span");
  const endDate = optionalDatePart(period.end);
  const end = endDate === null ? null : reading.check("period.end", period.end, endDate);
  if (start !== null && end !== null && end < start) reading.problem("period.end", period.end, `is before period.start ${start}`);
  if (member !== null && plan !== null && start !== null) {
    rows.span = { member_id: member, plan_id: plan, start_date: start, end_date: end, key_path: "Coverage.period.start" };
  }
  return rows;
}

/** Whether a ServiceRequest's code is a central DXA (SPEC 3b). */
function isCentralDxa(code: unknown): boolean {
  return (
    firstCoding(code, (system, value) => (system === SYSTEMS.cpt && CENTRAL_DXA_CPT.has(value)) || (system === SYSTEMS.loinc && CENTRAL_DXA_LOINC.has(value))) !== null
  );
}

function readServiceRequest(resource: JsonObject, reading: Reading): MappedRows | null {
  if (!ORDER_INTENTS.has(text(resource.intent) ?? "") || !isCentralDxa(resource.code)) return null;
  const member = reading.patient("subject", resource.subject);
  const orderDate = reading.date("authoredOn", resource.authoredOn, "the order date");
  const requester = reading.practitioner("requester", resource.requester);
  if (member === null || orderDate === null || requester === null) return null;
  return {
    order: {
      order_id: resource.id as string,
      member_id: member,
      order_date: orderDate,
      ordering_npi: requester.npi,
      npi_type: requester.npiType,
      npi_id: requester.npiId,
      status: CANCELLED_REQUEST_STATUSES.has(text(resource.status) ?? "") ? "cancelled" : "active",
      key_path: "ServiceRequest.id",
    },
  };
}

const CLAIM_TYPES = new Set(["professional", "institutional"]);
const claimId = f.text(1, 64);
const lineNumber = f.integer(1);
const units = f.integer(1);

/** A JSON number as the cell text the CSV rules read (`150`, `98.5`). */
function numberText(value: unknown): string | Invalid {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : new Invalid("must be a JSON number");
}

/** A whole number element (a line number, units) through its CSV rule: `1.5`, `"1"` and `0`
 *  are refused alike. */
function wholeNumber(value: unknown, rule: f.FieldParser, missing: string): string | Invalid {
  if (value === undefined) return new Invalid(missing);
  return typeof value === "number" ? rule(String(value), { today: "" }) : new Invalid("must be a whole number ≥ 1 (a JSON number)");
}

function readExplanationOfBenefit(resource: JsonObject, reading: Reading): MappedRows | null {
  // Preauthorizations and predeterminations are not claims.
  if (resource.use !== undefined && resource.use !== "claim") return null;
  const claimType = firstCoding(resource.type, (system, code) => system === SYSTEMS.claimType && CLAIM_TYPES.has(code));
  if (!claimType) return null;

  const identifier = list(resource.identifier)[0];
  const numbered = isObject(identifier) && identifier.value !== undefined;
  const claim = numbered
    ? reading.check("identifier[0].value", identifier.value, typeof identifier.value === "string" ? claimId(identifier.value, reading.ctx) : new Invalid("must be a string"))
    : (resource.id as string);

  const frequency: ClaimLineRow["frequency_code"] =
    resource.status === "cancelled" ? "8" : list(resource.related).some((r) => isObject(r) && hasCode(r.relationship, "prior")) ? "7" : "1";

  const received = receivedDate(resource, reading);
  const member = reading.patient("patient", resource.patient);
  const coverageId = billedCoverage(resource, reading);

  const billable = isObject(resource.billablePeriod) ? resource.billablePeriod : {};
  const billableStart = billable.start === undefined ? null : reading.check("billablePeriod.start", billable.start, datePart(billable.start));
  const diagnoses = diagnosisCodes(resource, reading);
  const careTeam = renderingCandidates(resource);
  const outcome = text(resource.outcome);

  const lines: ClaimLineRow[] = [];
  list(resource.item).forEach((item, i) => {
    if (!isObject(item)) return;
    const path = `item[${i}]`;
    const product = firstCoding(item.productOrService, (system) => system === SYSTEMS.cpt || system === SYSTEMS.hcpcs);
    if (!product) return; // neither CPT nor HCPCS: not a line DXA tracking reads
    const procedure = reading.check(`${path}.productOrService.coding[${product.index}].code`, product.code, f.procedureCode(product.code, reading.ctx));
    const sequence = reading.check(`${path}.sequence`, item.sequence, wholeNumber(item.sequence, lineNumber, "required: the line number"));
    const serviceDate = itemServiceDate(item, path, billableStart, reading);
    const modifiers = itemModifiers(item, path, reading);
    const place = itemPlace(item, path, reading);
    const quantity = isObject(item.quantity) ? item.quantity.value : undefined;
    const unitCount = quantity === undefined ? "1" : reading.check(`${path}.quantity.value`, quantity, wholeNumber(quantity, units, ""));
    const net = isObject(item.net) ? item.net.value : undefined;
    const billed = net === undefined ? null : reading.check(`${path}.net.value`, net, amountOf(net, reading));
    const paid = paidAmount(item, path, reading);
    const rendering = renderingNpi(item, careTeam, reading);
    const denied = outcome === "error" || list(item.adjudication).some((a) => isObject(a) && hasCode(a.category, "denialreason"));
    if (
      claim === null || received === null || member === null || coverageId === null || procedure === null || sequence === null ||
      serviceDate === null || modifiers === null || place === undefined || unitCount === null || billed === undefined || paid === undefined ||
      rendering === null || diagnoses === null
    ) {
      return;
    }
    lines.push({
      claim_id: claim,
      line_number: sequence,
      frequency_code: frequency,
      received_date: received,
      member_id: member,
      coverage_id: coverageId,
      claim_type: claimType.code as ClaimLineRow["claim_type"],
      service_date: serviceDate,
      procedure_code: procedure,
      modifiers,
      place_of_service: place,
      line_status: denied ? "denied" : outcome === "queued" ? "pending" : "paid",
      units: unitCount,
      billed_amount: billed,
      paid_amount: paid,
      rendering_npi: rendering.npi,
      npi_type: rendering.npiType,
      npi_id: rendering.npiId,
      diagnosis_codes: diagnoses,
      key_path: `ExplanationOfBenefit.${path}.sequence`,
    });
  });
  return { lines };
}

/** The date the payer received this version: the CARIN Blue Button `clmrecvddate`
 *  supportingInfo, else `created` (date part). */
function receivedDate(resource: JsonObject, reading: Reading): string | null {
  const infos = list(resource.supportingInfo);
  const index = infos.findIndex((s) => isObject(s) && hasCode(s.category, "clmrecvddate") && s.timingDate !== undefined);
  if (index !== -1) {
    const timing = (infos[index] as JsonObject).timingDate;
    return reading.check(`supportingInfo[${index}].timingDate`, timing, datePart(timing));
  }
  return reading.date("created", resource.created, "the received date (a clmrecvddate supportingInfo, else created)");
}

/** The Coverage of the focal insurance (else the first): its id, for its plan_id. */
function billedCoverage(resource: JsonObject, reading: Reading): string | null {
  const insurance = list(resource.insurance);
  if (insurance.length === 0) {
    reading.problem("insurance", "", "required: the plan billed (the Coverage of the focal insurance)");
    return null;
  }
  const focal = insurance.findIndex((i) => isObject(i) && i.focal === true);
  const index = focal === -1 ? 0 : focal;
  const element = insurance[index];
  const path = `insurance[${index}].coverage`;
  const ref = readReference(isObject(element) ? element.coverage : undefined, reading.ctx.bundle);
  if (ref.kind === "resource" && ref.type === "Coverage") return reading.ref(path, ref, "plan");
  if (ref.kind === "absent") reading.problem(path, ref.display ?? "", "required: a reference to the Coverage billed");
  else if (ref.kind === "unreadable") reading.problem(path, ref.raw, ref.reason);
  else reading.problem(path, ref.raw, "must reference a Coverage");
  return null;
}

const ICD10 = /^[A-Za-z][0-9][A-Za-z0-9](\.?[A-Za-z0-9]{1,4})?$/;

/** The claim's ICD-10-CM diagnosis codes in `sequence` order, as a text[] literal. */
function diagnosisCodes(resource: JsonObject, reading: Reading): string | null {
  const diagnoses = list(resource.diagnosis)
    .map((d, i) => ({ d, i }))
    .filter((x): x is { d: JsonObject; i: number } => isObject(x.d))
    .sort((a, b) => sequenceOf(a.d) - sequenceOf(b.d) || a.i - b.i);
  const codes: string[] = [];
  let valid = true;
  for (const { d, i } of diagnoses) {
    const coding = codingOf(d.diagnosisCodeableConcept, SYSTEMS.icd10cm);
    if (!coding) continue;
    if (!ICD10.test(coding.code)) {
      reading.problem(`diagnosis[${i}].diagnosisCodeableConcept.coding[${coding.index}].code`, coding.code, `"${coding.code}" is not an ICD-10-CM code`);
      valid = false;
    }
    codes.push(coding.code);
  }
  if (!valid) return null;
  if (codes.length === 0) return "{}";
  return reading.check("diagnosis", codes.join(";"), f.diagnosisCodes(codes.join(";"), reading.ctx));
}

function sequenceOf(element: JsonObject): number {
  return typeof element.sequence === "number" ? element.sequence : Number.MAX_SAFE_INTEGER;
}

function itemServiceDate(item: JsonObject, path: string, billableStart: string | null, reading: Reading): string | null {
  if (item.servicedDate !== undefined) return reading.check(`${path}.servicedDate`, item.servicedDate, datePart(item.servicedDate));
  const period = isObject(item.servicedPeriod) ? item.servicedPeriod : null;
  if (period && period.start !== undefined) return reading.check(`${path}.servicedPeriod.start`, period.start, datePart(period.start));
  if (billableStart !== null) return billableStart;
  reading.problem(`${path}.servicedDate`, "", "required: the service date (servicedDate, servicedPeriod.start or the claim's billablePeriod.start)");
  return null;
}

function itemModifiers(item: JsonObject, path: string, reading: Reading): string | null {
  const modifiers = list(item.modifier);
  if (modifiers.length === 0) return "{}";
  const codes: string[] = [];
  for (let m = 0; m < modifiers.length; m++) {
    const coding = anyCode(modifiers[m]);
    if (!coding) {
      reading.problem(`${path}.modifier[${m}]`, modifiers[m], "a modifier without a code");
      return null;
    }
    codes.push(coding.code);
  }
  return reading.check(`${path}.modifier`, codes.join(";"), f.modifiers(codes.join(";"), reading.ctx));
}

/** The place of service; undefined after a problem (null is "none given"). */
function itemPlace(item: JsonObject, path: string, reading: Reading): string | null | undefined {
  const coding = anyCode(item.locationCodeableConcept);
  if (!coding) return null;
  return reading.check(`${path}.locationCodeableConcept.coding[${coding.index}].code`, coding.code, f.placeOfService(coding.code, reading.ctx)) ?? undefined;
}

function amountOf(value: unknown, reading: Reading): string | Invalid {
  const number = numberText(value);
  return number instanceof Invalid ? number : f.amount(number, reading.ctx);
}

/** The item's adjudication amount of category `paidtoprovider`, else `benefit`; undefined
 *  after a problem. */
function paidAmount(item: JsonObject, path: string, reading: Reading): string | null | undefined {
  const adjudications = list(item.adjudication);
  for (const category of ["paidtoprovider", "benefit"]) {
    const index = adjudications.findIndex((a) => isObject(a) && hasCode(a.category, category) && isObject(a.amount) && a.amount.value !== undefined);
    if (index === -1) continue;
    const value = ((adjudications[index] as JsonObject).amount as JsonObject).value;
    return reading.check(`${path}.adjudication[${index}].amount.value`, value, amountOf(value, reading)) ?? undefined;
  }
  return null;
}

type CareTeamMember = { index: number; sequence: unknown; provider: unknown };

/** The care team members whose role is `performing` or `rendering`, in order. */
function renderingCandidates(resource: JsonObject): CareTeamMember[] {
  const members: CareTeamMember[] = [];
  list(resource.careTeam).forEach((member, index) => {
    if (isObject(member) && hasCode(member.role, "performing", "rendering")) members.push({ index, sequence: member.sequence, provider: member.provider });
  });
  return members;
}

/** The rendering NPI of an item: its careTeamSequence's performing or rendering member first,
 *  else the first such member of the claim. */
function renderingNpi(item: JsonObject, candidates: CareTeamMember[], reading: Reading): Practitioner | null {
  if (candidates.length === 0) return NO_PRACTITIONER;
  let chosen: CareTeamMember | undefined;
  for (const sequence of list(item.careTeamSequence)) {
    chosen = candidates.find((c) => c.sequence === sequence);
    if (chosen) break;
  }
  chosen ??= candidates[0]!;
  return reading.practitioner(`careTeam[${chosen.index}].provider`, chosen.provider);
}

/** The patient a resource is about, for fhir_resources.patient_id. */
export function patientIdOf(resource: JsonObject, bundle: BundleIndex | null): string | null {
  if (resource.resourceType === "Patient") return resource.id as string;
  for (const element of ["subject", "patient", "beneficiary"]) {
    const ref = readReference(resource[element], bundle);
    if (ref.kind === "resource" && ref.type === "Patient") return ref.id;
  }
  return null;
}
