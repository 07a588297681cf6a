/** Word lists the sample draws from: names, companies, pages, campaigns. All invented or generic. */

const words = (s: string): readonly string[] => s.trim().split(/\s+/);

export const FIRST_NAMES = words(`
  James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph
  Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret
  Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa
  George Deborah Timothy Stephanie Ronald Rebecca Jason Laura Edward Sharon Jeffrey Cynthia Ryan Kathleen Jacob
  Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry Emma Justin Nicole Scott Helen
  Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet
  Raymond Maria Jack Olivia Dennis Heather Jerry Diane Tyler Julie Aaron Joyce Jose Victoria Adam Ruth Nathan
  Virginia Henry Lauren Zachary Kelly Douglas Christina Peter Joan Kyle Evelyn Noah Judith Ethan Andrea Jeremy
  Hannah Walter Megan Christian Cheryl Keith Jacqueline Roger Martha Terry Madison Austin Teresa Sean Gloria
  Priya Wei Mei Hiroshi Yuki Aisha Omar Fatima Carlos Sofia Mateo Lucia Lars Ingrid Pierre Amelie Jan Zofia
`);

export const LAST_NAMES = words(`
  Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
  Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson
  Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell
  Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris
  Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
  Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel
  Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes
  Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace
  Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens
  Tanaka Sato Chen Wang Singh Kumar Schmidt Muller Rossi Dubois Novak Larsen Silva Santos Kowalski Jansen Berg
`);

export const PERSONAL_DOMAINS = words(`
  gmail.com gmail.com gmail.com gmail.com yahoo.com outlook.com hotmail.com icloud.com proton.me aol.com gmx.de
`);

const COMPANY_HEADS = words(`
  Northwind Globex Initech Umbrella Hooli Vandelay Stark Wayne Acme Soylent Cyberdyne Tyrell Wonka Gringotts
  Monarch Oceanic Pied Dunder Sterling Prestige Massive Aperture Vehement Bluth Strickland Kramerica Nakatomi
  Virtucon Primatech Gekko Zorin Weyland Oscorp Abstergo Blue Polar Quantum Silver Granite Harbor Summit Lumen
`);

const COMPANY_TAILS = words(`Labs Systems Analytics Logistics Health Capital Foods Energy Media Robotics Software Retail`);

/** Company i: a name and its domain, unique for every i. */
export function company(i: number): { readonly name: string; readonly domain: string } {
  const head = COMPANY_HEADS[i % COMPANY_HEADS.length];
  const tail = COMPANY_TAILS[Math.floor(i / COMPANY_HEADS.length) % COMPANY_TAILS.length];
  const round = Math.floor(i / (COMPANY_HEADS.length * COMPANY_TAILS.length));
  const suffix = round === 0 ? '' : ` ${round + 1}`;
  const name = `${head} ${tail}${suffix}`;
  const domain = `${head}${tail}${round === 0 ? '' : round + 1}`.toLowerCase() + (i % 3 === 0 ? '.io' : '.com');
  return { name, domain };
}

export const DOC_PATHS = words(`
  /docs/getting-started /docs/install /docs/quickstart /docs/api /docs/api/authentication /docs/api/webhooks
  /docs/integrations/hubspot /docs/integrations/salesforce /docs/integrations/slack /docs/sdk/javascript
  /docs/sdk/python /docs/sdk/ios /docs/sdk/android /docs/billing /docs/security /docs/sso /docs/limits
  /docs/changelog /docs/troubleshooting /docs/migration
`);

export const BLOG_PATHS = words(`
  /blog/announcing-v2 /blog/customer-story-globex /blog/warehouse-native /blog/pricing-update
  /blog/how-we-scaled /blog/gdpr-checklist /blog/ten-tips-for-onboarding /blog/state-of-saas-2024
  /blog/product-roundup /blog/engineering-culture /blog/case-study-initech /blog/year-in-review
`);

export const OTHER_PATHS = words(`/features /integrations /customers /about /contact /careers /login /app/dashboard`);

export const UTM_SOURCES = words(`google google google newsletter linkedin twitter facebook partner bing reddit`);

export const APP_EVENT_NAMES = words(`
  app_opened app_opened app_opened screen_viewed screen_viewed screen_viewed screen_viewed feature_used
  feature_used notification_opened search_performed item_shared settings_changed app_backgrounded
`);

export const AREA_CODES = words(`
  212 213 206 303 305 312 404 415 469 503 512 602 617 646 702 713 718 720 773 786 801 818 832 858 917 919 925 949
  972 978 201 202 203 210 214 215 216 224 248 267 281 301 310 314 317 347 408 410 412 510 571 619 626 630 650 661
`);

export const LIFECYCLE_STAGES = words(`subscriber lead marketingqualifiedlead salesqualifiedlead opportunity customer evangelist other`);
