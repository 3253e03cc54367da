import type { ReactNode } from "react";

interface Props {
  title: string;
  className?: string;
  children: ReactNode;
}

/** A titled card. */
export function Panel({ title, className, children }: Props) {
  return (
    <section className={`panel ${className ?? ""}`}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
