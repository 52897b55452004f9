import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/** Each user's language for the web app is kept on the server (issue 16 item 11, decision 0025). */
describe.each(testDialects())('a user chooses the language of the web app (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });
  const me = async (login: string) =>
    (await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(t.token(login)) })).json() as {
      locale: string | null;
    };
  const choose = (login: string, locale: unknown) =>
    t.app.inject({
      method: 'PUT',
      url: '/api/me/locale',
      headers: bearer(t.token(login)),
      payload: { locale },
    });

  it('has no choice until one is made, then keeps it for that user only', async () => {
    expect((await me('xa-ssac.submitter')).locale).toBeNull();
    const res = await choose('xa-ssac.submitter', 'ar');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ locale: 'ar' });
    expect((await me('xa-ssac.submitter')).locale).toBe('ar');
    expect((await me('xa-ssac.reviewer')).locale).toBeNull();
    expect((await choose('xa-ssac.submitter', 'fr')).statusCode).toBe(200);
    expect((await me('xa-ssac.submitter')).locale).toBe('fr');
  });

  it('refuses a language the app does not speak, and an anonymous caller', async () => {
    const res = await choose('xa-ssac.reviewer', 'de');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect((await me('xa-ssac.reviewer')).locale).toBeNull();
    const anon = await t.app.inject({ method: 'PUT', url: '/api/me/locale', payload: { locale: 'fr' } });
    expect(anon.statusCode).toBe(401);
  });
});
