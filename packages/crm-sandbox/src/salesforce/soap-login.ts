import type { HttpReply } from '../http/http-reply.js';
import type { AuthEnv } from './oauth.js';

const XML = 'text/xml;charset=UTF-8';

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function element(body: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`).exec(body);
  return m ? unescapeXml(m[1]) : undefined;
}

function envelope(inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" ' +
    'xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

function loginFault(): HttpReply {
  const message = 'Invalid username, password, security token; or user locked out.';
  const body = envelope(
    '<soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode>' +
      `<faultstring>INVALID_LOGIN: ${message}</faultstring>` +
      '<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>' +
      `<sf:exceptionMessage>${message}</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>`,
  );
  return { status: 500, contentType: XML, body };
}

/**
 * `POST /services/Soap/u/{version}` partner `login()`: enough of the LoginResult for jsforce's
 * SOAP fallback (it regex-reads serverUrl, sessionId, userId, organizationId). Bad credentials →
 * HTTP 500 SOAP fault INVALID_LOGIN, as Salesforce answers.
 */
export function handleSoapLogin(env: AuthEnv, version: string, bodyText: string): HttpReply {
  const username = element(bodyText, 'username');
  const password = element(bodyText, 'password');
  const user = env.users.find((u) => u.username.toLowerCase() === (username ?? '').toLowerCase());
  if (!user || user.password === undefined || user.password !== password) return loginFault();
  const session = env.sessions.issue(user, undefined, 'soap');
  env.onTokenIssued('soap');
  const url = env.url();
  const body = envelope(
    '<loginResponse><result>' +
      `<metadataServerUrl>${url}/services/Soap/m/${escapeXml(version)}/${env.orgId}</metadataServerUrl>` +
      '<passwordExpired>false</passwordExpired><sandbox>true</sandbox>' +
      `<serverUrl>${url}/services/Soap/u/${escapeXml(version)}/${env.orgId}</serverUrl>` +
      `<sessionId>${escapeXml(session.accessToken)}</sessionId>` +
      `<userId>${user.id}</userId>` +
      '<userInfo><accessibilityMode>false</accessibilityMode><currencySymbol>$</currencySymbol>' +
      `<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode><organizationId>${env.orgId}</organizationId>` +
      '<organizationMultiCurrency>false</organizationMultiCurrency><organizationName>cdp sandbox</organizationName>' +
      `<userEmail>${escapeXml(user.username)}</userEmail><userFullName>Sandbox User</userFullName><userId>${user.id}</userId>` +
      `<userLanguage>en_US</userLanguage><userLocale>en_US</userLocale><userName>${escapeXml(user.username)}</userName>` +
      '<userTimeZone>America/Los_Angeles</userTimeZone><userType>Standard</userType></userInfo>' +
      '</result></loginResponse>',
  );
  return { status: 200, contentType: XML, body };
}
