/** The CSS shared by `cdp report` and `cdp inspect --html`. */
export const PAGE_STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; background: #f9fafb; }
body { margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; color: #374151; }
.muted { color: #6b7280; font-weight: normal; } .none { color: #6b7280; font-style: italic; }
code { background: #eef2ff; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; font-size: 13px; background: #fff; width: 100%; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
figcaption { font-size: 13px; color: #374151; margin-bottom: 4px; } .chart { position: relative; height: 240px; }
.kpis { display: flex; flex-wrap: wrap; gap: 8px; } .kpi { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 12px; min-width: 90px; }
.kpi .v { display: block; font-size: 20px; font-weight: 600; } .kpi .l { font-size: 12px; color: #6b7280; }
.status.success, .gate.passed { color: #15803d; } .status.failed, .status.blocked, .gate.tripped, .error { color: #b91c1c; } .status.rejected { color: #b45309; }
.gate { font-weight: 600; }
`;
