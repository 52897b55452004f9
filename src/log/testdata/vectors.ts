/** Test-only loader for tlog-vectors.json (a copy of /work/shared/vectors/tlog-vectors.json). */
import { readFileSync } from 'node:fs';

export interface InclusionProbe {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

export interface ConsistencyProbe {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

export interface Vectors {
  rfc6962_hasher: {
    cases: {
      desc: string;
      root_of_empty_tree_hex?: string;
      leaf_input_hex?: string;
      leaf_input_ascii?: string;
      leaf_hash_hex?: string;
      left_ascii?: string;
      right_ascii?: string;
      node_hash_hex?: string;
    }[];
  };
  tree8: {
    leaf_inputs_hex: string[];
    root_by_tree_size_hex: string[];
    node_hashes_by_level_hex: string[][];
    inclusion_proofs: { leaf_index: number; tree_size: number; proof_hex: string[] | null }[];
    consistency_proofs: { size1: number; size2: number; proof_hex: string[] }[];
  };
  transparency_dev_merkle_testdata: {
    quirks: { file: string; issue: string }[];
    inclusion: InclusionProbe[];
    consistency: ConsistencyProbe[];
  };
  signed_note: {
    c2sp_example: { vkey: string; note: string; signed_text: string };
    sumdb_note_tests: {
      peter_vkey: string;
      peter_skey: string;
      enoch_vkey: string;
      text: string;
      peter_signature_line: string;
      enoch_signature_line: string;
      signed_note_peter: string;
    };
    sumdb_tree_note: { text: string };
  };
  key_ids: {
    vectors: { vkey: string; name: string; type: number; public_key_hex: string; key_id_hex: string }[];
  };
  cosignature: {
    external_timestamp_vector: {
      signature_b64: string;
      decoded: { key_id_hex: string; timestamp_u64_be: number; ed25519_sig_hex: string };
    };
    wrong_type_example: { signature_b64: string };
    c2sp_signed_message_example: { message: string };
    derived_end_to_end: {
      log: { name: string; ed25519_seed_hex: string; public_key_hex: string; vkey: string };
      witness: { name: string; ed25519_seed_hex: string; public_key_hex: string; vkey_type04: string };
      checkpoint_size6: string;
      checkpoint_size8: string;
      cosignature_timestamp: number;
      cosigned_message: string;
      witness_signature_line: string;
      checkpoint_size8_cosigned: string;
      inclusion_proof_leaf5_in_size8_b64: string[];
      add_checkpoint_request_body: string;
      tlog_proof_leaf5: string;
      leaf5_input_hex: string;
    };
  };
  tile_paths: {
    c2sp_tlog_tiles: {
      examples_from_spec: { index: number; encoded: string }[];
      derived_examples: { index: number; encoded: string }[];
      derived_paths_for_size_70000: string[];
    };
    go_sumdb_tlog: {
      cases: { path: string; H?: number; L?: number; N?: number; W?: number; invalid?: boolean }[];
    };
  };
  parse_only_spec_examples: {
    checkpoint: string;
    cosigned_checkpoint: string;
    witness_add_checkpoint_request: string;
    witness_add_checkpoint_response: string;
    witness_http_status_codes: Record<string, number | string>;
  };
}

export const vectors: Vectors = JSON.parse(
  readFileSync(new URL('./tlog-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function b64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
