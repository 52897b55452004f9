import { type ReactNode, useEffect, useId, useRef } from 'react';

/**
 * Every screen has one h1 that receives focus after navigation, so keyboard and screen-reader
 * users start reading at the new content, and the document title names the screen.
 */
export function Page({
  title,
  lead,
  actions,
  children,
}: {
  title: string;
  lead?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Custos`;
    h1.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1 ref={h1} tabIndex={-1}>
            {title}
          </h1>
          {lead && <p className="lead">{lead}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  // Not derived from the title: in Arabic or Chinese every title would give the same id.
  const generated = useId();
  const hid = id ?? `s${generated.replace(/:/g, '')}`;
  return (
    <section aria-labelledby={hid} className="section">
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}
