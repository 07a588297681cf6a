/**
 * Free-mail and ISP mail domains: an address there says nothing about the person's company, so such a
 * domain is never an account identifier and never gives a membership (docs/accounts.md#free-mail-domains).
 * `accounts.free_mail_domains` adds to this list.
 */
export const FREE_MAIL_DOMAINS: readonly string[] = [
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'live.com', 'msn.com',
  'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'ymail.com', 'rocketmail.com', 'aol.com', 'icloud.com', 'me.com',
  'mac.com', 'proton.me', 'protonmail.com', 'pm.me', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'mail.ru',
  'yandex.com', 'yandex.ru', 'zoho.com', 'zohomail.com', 'tutanota.com', 'fastmail.com', 'hey.com', 'qq.com', '163.com',
  '126.com', 'naver.com', 'comcast.net', 'verizon.net', 'att.net', 'sbcglobal.net', 'btinternet.com', 'orange.fr',
  'free.fr', 'laposte.net', 't-online.de', 'libero.it', 'virgilio.it', 'seznam.cz', 'wp.pl', 'o2.pl', 'bol.com.br',
  'uol.com.br', 'rediffmail.com',
];

/** The built-in list plus the project's own, lower-cased, without duplicates. */
export function freeMailDomains(extra: readonly string[]): string[] {
  return [...new Set([...FREE_MAIL_DOMAINS, ...extra.map((d) => d.trim().toLowerCase().replace(/^www\./, ''))])].filter((d) => d !== '');
}
