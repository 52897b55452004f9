import type {
  AttachmentType,
  Case,
  CaseAlarm,
  CaseEvent,
  CaseKind,
  CaseStatus,
} from '../../domain/cases/index.js';
import type { IsoDate } from '../../domain/reports/report.types.js';

/** What a case is about (issue: MBA, report and lines, transfer, balance period, finding). */
export interface CaseAbout {
  readonly report?: string;
  readonly lines?: readonly number[];
  readonly transfer?: string;
  readonly period?: { readonly from: string; readonly to: string };
  readonly element?: string;
  readonly inspection?: string;
  readonly finding?: string;
  readonly obligation?: string;
  readonly seal?: string;
  /** An international provision (its citable ref) the state's domestic law falls short of. */
  readonly provision?: string;
  /** An item of an Additional Protocol declaration, `<declaration id>#<item index>`. */
  readonly declaration?: string;
  /** The alarm that opened it (source and test), when one did. */
  readonly alarm?: Readonly<Record<string, string>>;
}

/** The deciding inspectorate's Ed25519 signature over decisionBytes (decisions.ts). */
export interface ResolutionSignature {
  readonly keyId: string;
  readonly signature: string;
}

/** A file attached to a message, named by the SHA-256 of its bytes. */
export interface AttachmentRef {
  readonly hash: string;
  readonly name: string;
  readonly contentType: AttachmentType;
  readonly size: number;
}

/** A history entry as stored: the domain event plus its place in the thread and extras. */
export type StoredCaseEvent = CaseEvent & {
  readonly seq: number;
  readonly actorOrg: string | null;
  readonly attachments?: readonly AttachmentRef[];
  readonly linkedReport?: string;
  readonly signature?: ResolutionSignature;
};

export interface StoredCase extends Case {
  readonly title: string;
  readonly about: CaseAbout;
  readonly eventCount: number;
  readonly openedBy: string;
  readonly history: readonly StoredCaseEvent[];
}

export interface CaseSummary {
  readonly id: string;
  readonly key: string | null;
  readonly kind: CaseKind;
  readonly state: string;
  readonly mba: string | null;
  readonly inspectorate: string;
  readonly sharedWith: readonly string[];
  readonly title: string;
  readonly about: CaseAbout;
  readonly status: CaseStatus;
  readonly dueDate: string | null;
  readonly overdue: boolean;
  readonly openedAt: string;
  readonly updatedAt: string;
}

export interface CaseView extends CaseSummary {
  readonly history: readonly StoredCaseEvent[];
  /** How the decision (resolved/escalated) is attested: signature of the inspectorate, or the log only. */
  readonly decision: {
    readonly status: 'resolved' | 'escalated';
    readonly seq: number;
    readonly attestation: 'signature' | 'log-commitment';
  } | null;
}

export interface CaseFilter {
  readonly state?: string;
  readonly mba?: string;
  readonly kind?: CaseKind;
  readonly status?: CaseStatus;
  readonly limit?: number;
  readonly offset?: number;
}

export interface OpenCaseRequest {
  readonly kind: CaseKind;
  readonly state: string;
  readonly mba?: string;
  readonly title: string;
  readonly about?: CaseAbout;
  readonly note?: string;
  /** The alarm the case is about: one case per cause (caseKeyForAlarm), however it is opened. */
  readonly cause?: CaseAlarm;
}

export interface TransitionInput {
  readonly to: CaseStatus;
  readonly note?: string;
  readonly dueDate?: IsoDate;
  readonly internal?: boolean;
  readonly linkedReport?: string;
  readonly signature?: ResolutionSignature;
}

export interface MessageInput {
  readonly text: string;
  readonly internal?: boolean;
  readonly attachments?: readonly { name: string; contentType: string; data: string }[];
}
