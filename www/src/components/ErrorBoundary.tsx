import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Shows what stopped the dashboard (e.g. options from the query string that
 * the SDK refuses, which `useResilientSocket` throws from its effect) instead
 * of a blank page, with a way back to the defaults.
 */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.warn("dashboard stopped:", error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="app">
        <section className="panel" data-testid="dashboard-error">
          <h2>The dashboard stopped</h2>
          <p className="error" data-testid="dashboard-error-message">
            {error.message}
          </p>
          <p>
            <a href={location.pathname}>Reload with the default settings</a>
          </p>
        </section>
      </div>
    );
  }
}
