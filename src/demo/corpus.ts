// The demo's knowledge base: questions a support assistant for a fictional SaaS product gets, the
// passages its retriever finds, an answer the passages support, and one that invents details (wrong
// numbers, names and promises) for the evaluator to catch.

export interface DemoContext {
  text: string;
  source: string;
  score: number;
}

export interface DemoCase {
  topic: string;
  query: string;
  contexts: DemoContext[];
  faithful: string;
  hallucinated: string;
}

export const CORPUS: DemoCase[] = [
  {
    topic: 'billing',
    query: 'How long do I have to ask for a refund on an annual plan?',
    contexts: [
      { text: 'Annual plans can be refunded in full within 30 days of purchase. After 30 days, refunds are prorated for the unused months.', source: 'docs/billing/refunds.md', score: 0.93 },
      { text: 'Monthly plans are not refundable, but you can cancel at any time and keep access until the end of the billing period.', source: 'docs/billing/cancel.md', score: 0.81 },
    ],
    faithful: 'Annual plans can be refunded in full within 30 days of purchase. After 30 days, refunds are prorated for the unused months.',
    hallucinated: 'Annual plans can be refunded within 90 days, and the refund includes a bonus credit of 200 dollars paid by bank transfer within 24 hours.',
  },
  {
    topic: 'api',
    query: 'What is the API rate limit on the Pro plan?',
    contexts: [
      { text: 'The Pro plan allows 600 API requests per minute per workspace. Requests above the limit receive HTTP 429 with a Retry-After header.', source: 'docs/api/limits.md', score: 0.95 },
      { text: 'The Free plan allows 60 API requests per minute.', source: 'docs/api/limits.md', score: 0.77 },
    ],
    faithful: 'The Pro plan allows 600 API requests per minute per workspace. Requests above the limit receive HTTP 429 with a Retry-After header.',
    hallucinated: 'The Pro plan has no rate limit at all; Quantum Burst mode lets you send 50,000 requests per second for free.',
  },
  {
    topic: 'account',
    query: 'How do I reset my password?',
    contexts: [
      { text: 'To reset your password, click "Forgot password" on the sign-in page. We email a reset link that expires after 1 hour.', source: 'docs/account/password.md', score: 0.91 },
    ],
    faithful: 'Click "Forgot password" on the sign-in page. We email a reset link that expires after 1 hour.',
    hallucinated: 'Call our hotline at 555-0199 and a technician named Gerald will reset it by fax within 3 business weeks.',
  },
  {
    topic: 'security',
    query: 'Which SSO providers are supported?',
    contexts: [
      { text: 'Single sign-on supports SAML 2.0 and OpenID Connect. Tested identity providers include Okta, Microsoft Entra ID and Google Workspace.', source: 'docs/security/sso.md', score: 0.9 },
      { text: 'SSO is available on the Business and Enterprise plans.', source: 'docs/pricing.md', score: 0.84 },
    ],
    faithful: 'Single sign-on supports SAML 2.0 and OpenID Connect. Tested identity providers include Okta, Microsoft Entra ID and Google Workspace. SSO is available on the Business and Enterprise plans.',
    hallucinated: 'SSO works only with MySpace and Friendster accounts, and it is free on every plan since the 1998 merger with Netscape.',
  },
  {
    topic: 'data',
    query: 'How long is deleted data retained?',
    contexts: [
      { text: 'Deleted projects are kept in a recoverable state for 14 days and then permanently erased from primary storage.', source: 'docs/data/retention.md', score: 0.92 },
      { text: 'Backups are encrypted and rotated every 35 days.', source: 'docs/data/backups.md', score: 0.8 },
    ],
    faithful: 'Deleted projects are recoverable for 14 days and then permanently erased from primary storage. Encrypted backups rotate every 35 days.',
    hallucinated: 'Deleted data is kept forever on magnetic tapes stored in a salt mine in Utah, and anyone can request a copy for 5 dollars.',
  },
  {
    topic: 'infrastructure',
    query: 'In which regions can I host my workspace?',
    contexts: [
      { text: 'Workspaces can be hosted in the EU (Frankfurt), the US (Virginia) or Asia Pacific (Singapore). The region is chosen when the workspace is created.', source: 'docs/infra/regions.md', score: 0.94 },
    ],
    faithful: 'Workspaces can be hosted in the EU (Frankfurt), the US (Virginia) or Asia Pacific (Singapore); the region is chosen when the workspace is created.',
    hallucinated: 'You can host your workspace on the Moon base in the Sea of Tranquility or in Antarctica, and move between them hourly at no cost.',
  },
  {
    topic: 'sla',
    query: 'What uptime do you guarantee?',
    contexts: [
      { text: 'The Enterprise plan includes a 99.95% monthly uptime SLA. If uptime falls below it, customers receive service credits of 10% of the monthly fee.', source: 'docs/legal/sla.md', score: 0.9 },
    ],
    faithful: 'The Enterprise plan includes a 99.95% monthly uptime SLA. If uptime falls below it, customers receive service credits of 10% of the monthly fee.',
    hallucinated: 'Every plan guarantees 100% uptime forever, and each minute of downtime pays you 1,000 dollars in cash plus a free laptop.',
  },
  {
    topic: 'support',
    query: 'When is customer support available?',
    contexts: [
      { text: 'Support is available by email and chat Monday to Friday, 8:00 to 18:00 CET. Enterprise customers have 24/7 phone support for critical incidents.', source: 'docs/support.md', score: 0.89 },
    ],
    faithful: 'Support is available by email and chat Monday to Friday, 8:00 to 18:00 CET. Enterprise customers have 24/7 phone support for critical incidents.',
    hallucinated: 'Support is only available on Sundays between 3 and 4 in the morning, exclusively by carrier pigeon to our office in Reykjavik.',
  },
  {
    topic: 'export',
    query: 'Can I export my data?',
    contexts: [
      { text: 'Owners can export all workspace data as CSV or JSON from Settings > Export. Large exports are prepared in the background and a download link is emailed.', source: 'docs/data/export.md', score: 0.91 },
    ],
    faithful: 'Owners can export all workspace data as CSV or JSON from Settings > Export; large exports are prepared in the background and a download link is emailed.',
    hallucinated: 'Exports are printed on paper and shipped by boat in 12 volumes; digital formats were discontinued by the Ministry of Archives in 2019.',
  },
  {
    topic: 'integrations',
    query: 'Does it integrate with Slack?',
    contexts: [
      { text: 'The Slack integration posts notifications to a channel of your choice. Install it from Settings > Integrations and authorize the Slack app.', source: 'docs/integrations/slack.md', score: 0.88 },
    ],
    faithful: 'Yes. The Slack integration posts notifications to a channel of your choice; install it from Settings > Integrations and authorize the Slack app.',
    hallucinated: 'Slack integration requires buying a dedicated Slack server appliance for 40,000 euros, installed on site by our partner Hyperion Dynamics.',
  },
  {
    topic: 'billing',
    query: 'Which payment methods do you accept?',
    contexts: [
      { text: 'We accept Visa, Mastercard and American Express. Annual Enterprise contracts can also be paid by bank transfer against an invoice.', source: 'docs/billing/payment.md', score: 0.9 },
    ],
    faithful: 'We accept Visa, Mastercard and American Express. Annual Enterprise contracts can also be paid by bank transfer against an invoice.',
    hallucinated: 'We accept payment only in gold bullion, vintage stamps or Dogecoin, and every invoice carries a 45% surcharge for processing.',
  },
  {
    topic: 'api',
    query: 'How do API keys work?',
    contexts: [
      { text: 'API keys are created per project in Settings > API keys. A key is shown once when it is created; store it in a secret manager. Revoked keys stop working immediately.', source: 'docs/api/keys.md', score: 0.92 },
    ],
    faithful: 'API keys are created per project in Settings > API keys. A key is shown once when created, so store it in a secret manager; revoked keys stop working immediately.',
    hallucinated: 'API keys never expire and can be recovered by any team member at any time from the public key directory on our homepage.',
  },
];

/** Chat prompts sent through the gateway: plain assistant traffic with no retrieval. */
export const CHAT_PROMPTS: string[] = [
  'Summarize this support ticket in one sentence.',
  'Translate "Your invoice is ready" into German.',
  'Write a friendly reply confirming the refund was processed.',
  'Classify this message as billing, technical or sales.',
  'Suggest a subject line for the weekly product update email.',
  'Extract the order number from: "Hi, my order 48213 never arrived".',
];
