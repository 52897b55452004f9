import { type Kysely, sql } from 'kysely';

/**
 * The rules that look beyond one device, read within their window (decision 0092). Each runs in
 * a device batch's storing transaction, and each walked a history that grows with the years:
 * - the inspections that excuse a seal opening were found by facility only (their arrival had no
 *   index): `inspections_facility_arrived` holds the arrived ones by facility and arrival;
 * - a containment's seal openings that meet a camera's window were walked from the oldest opening
 *   (the index ran by opening time, and a closed opening's end was not indexed):
 *   `device_seal_openings_open` holds the openings not closed, `device_seal_openings_closed` the
 *   closed ones by their end, so the read takes the open ones and those closed after the window
 *   began;
 * - closing a seal looked at every opening of the device: `device_seal_openings_device_open`
 *   holds the device's openings not closed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index inspections_facility_arrived on inspections (facility, arrived_at)
    where arrived_at is not null`.execute(db);
  await sql`create index device_seal_openings_open on device_seal_openings (facility, containment, from_at)
    where to_at is null`.execute(db);
  await sql`create index device_seal_openings_closed on device_seal_openings (facility, containment, to_at)
    where to_at is not null`.execute(db);
  await sql`create index device_seal_openings_device_open on device_seal_openings (device, from_at)
    where to_at is null`.execute(db);
}
