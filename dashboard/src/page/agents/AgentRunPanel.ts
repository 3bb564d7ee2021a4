import type { AgentComparison, AgentParameter, ConnectedRunner, RunAgentRequest, RunAgentResponse } from '@overlap/shared';
import { isApiError } from '../api/ApiError.js';
import { element } from '../dom/element.js';
import { agentChoices } from './agentChoices.js';
import type { AgentChoice } from './agentChoices.js';
import { parameterLabel } from './parameterLabel.js';
import { readAgentParams } from './readAgentParams.js';

/** What the run panel needs from the page. */
export interface AgentRunPanelDeps {
  /**
   * Sends a run request (`POST /api/agents/run`); resolves once a runner accepted it. The page also
   * arranges for the run's trace to be selected when it arrives.
   */
  run(request: RunAgentRequest): Promise<RunAgentResponse>;
  /**
   * Runs it again with the form's parameters, and compares the new run with the last one started from
   * this panel for the same agent, once it ends. Resolves with what to tell the user.
   */
  runAndCompare(request: RunAgentRequest): Promise<string>;
  /** Runs the two sides of a comparison the agent offers, and compares them once both end. Resolves with what to tell the user. */
  compare(choice: AgentChoice, comparison: AgentComparison): Promise<string>;
}

/** How the panel's message reads: a run under way, accepted, or refused (by the page or the server). */
type MessageKind = 'pending' | 'ok' | 'error';

/**
 * The "Run an agent" panel: pick an agent that a connected runner offers (grouped by runner when several
 * offer agents), read its description, set its integer parameters (each with its default, range and
 * help text) and run it. Once it ran, "Run again and compare" runs it with the parameters as they are now
 * and puts the two runs side by side. Below the form, the comparisons the agents offer (the examples' "sequential
 * vs concurrent", "limit 3 vs 6"...) are one click each. Inputs are checked in the page first: a value out of range gets a message and
 * no request is sent. The server's answer shows next to the form: a confirmation, or its message.
 * Without runners it says how to connect one. Everything is text; nothing from a runner is parsed as HTML.
 *
 * @example
 * ```ts
 * const panel = new AgentRunPanel(container, { run: (request) => api.runAgent(request) });
 * panel.showRunners((await api.agents()).runners);
 * live.onAgents = (event) => panel.showRunners(event.runners);
 * ```
 */
export class AgentRunPanel {
  private readonly note: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly select: HTMLSelectElement;
  private readonly about: HTMLElement;
  private readonly fields: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly againButton: HTMLButtonElement;
  private readonly message: HTMLElement;
  private readonly comparisons: HTMLElement;
  /** Choices run from this panel: "Run again and compare" needs a run to compare with. */
  private readonly ran = new Set<string>();
  /** The comparisons listed, as JSON: they are rebuilt only when the offer changes. */
  private comparisonsKey = '';
  private choices = new Map<string, AgentChoice>();
  /** The choice the parameter inputs were built for, and its descriptor as JSON (to see when it changes). */
  private shown: { key: string; descriptor: string } | undefined;
  private inputs = new Map<string, HTMLInputElement>();
  private sending = false;

  constructor(container: HTMLElement, private readonly deps: AgentRunPanelDeps) {
    this.note = element('div', { className: 'run-note' }, [element('p', { text: 'Looking for runners…' })]);
    this.select = element('select', { className: 'run-select', attrs: { id: 'run-agent-select', name: 'agent' } });
    this.about = element('div', { className: 'run-about' });
    this.fields = element('div', { className: 'run-fields' });
    this.button = element('button', { className: 'run-button', text: 'Run', attrs: { type: 'submit' } });
    this.againButton = element('button', { className: 'run-again-button', text: 'Run again and compare', attrs: { type: 'button', title: 'Run with these parameters and compare with the last run of this agent' } });
    this.againButton.hidden = true;
    this.message = element('p', { className: 'run-message', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.comparisons = element('div', { className: 'run-comparisons' });
    this.form = element('form', { className: 'run-form', attrs: { novalidate: '', 'aria-label': 'Run an agent' } }, [
      element('div', { className: 'run-agent-label' }, [element('label', { text: 'Agent', attrs: { for: this.select.id } }), this.select]),
      this.about,
      this.fields,
      element('div', { className: 'run-actions' }, [this.button, this.againButton]),
      this.message,
    ]);
    this.form.hidden = true;
    this.comparisons.hidden = true;
    container.replaceChildren(this.note, this.form, this.comparisons);
    this.againButton.addEventListener('click', () => void this.submit('compare'));
    this.select.addEventListener('change', () => {
      this.showChoice();
      this.setMessage('', 'ok');
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit('run');
    });
  }

  /** Shows what the connected runners offer (keeps the chosen agent and typed values when it is still offered, unchanged). */
  showRunners(runners: readonly ConnectedRunner[]): void {
    const groups = agentChoices(runners);
    this.choices = new Map(groups.flatMap((group) => group.choices.map((choice) => [choice.key, choice] as const)));
    this.showComparisons(groups.flatMap((group) => group.choices));
    if (groups.length === 0) {
      this.shown = undefined;
      this.inputs = new Map();
      this.form.hidden = true;
      this.note.hidden = false;
      this.note.replaceChildren(...noRunnerNote());
      return;
    }
    const previous = this.select.value;
    const options = (choices: readonly AgentChoice[]): HTMLOptionElement[] =>
      choices.map((choice) => element('option', { text: choice.agent.name, attrs: { value: choice.key, title: choice.agent.title } }));
    this.select.replaceChildren(
      ...(groups.length === 1 ? options(groups[0]!.choices) : groups.map((group) => element('optgroup', { attrs: { label: group.label } }, options(group.choices)))),
    );
    if (this.choices.has(previous)) this.select.value = previous;
    this.note.hidden = true;
    this.form.hidden = false;
    this.showChoice();
  }

  /** Says the runners could not be listed (the server is older, or refused the request). */
  showUnavailable(reason: string): void {
    this.shown = undefined;
    this.form.hidden = true;
    this.note.hidden = false;
    this.note.replaceChildren(element('p', { className: 'run-error', text: `Could not list the agents: ${reason}` }));
  }

  /** Lists the comparisons every offered agent offers, one button each. */
  private showComparisons(choices: readonly AgentChoice[]): void {
    const offered = choices.flatMap((choice) => (choice.agent.comparisons ?? []).map((comparison) => ({ choice, comparison })));
    const key = JSON.stringify(offered.map(({ choice, comparison }) => [choice.key, comparison]));
    if (key === this.comparisonsKey) return;
    this.comparisonsKey = key;
    this.comparisons.hidden = offered.length === 0;
    if (offered.length === 0) {
      this.comparisons.replaceChildren();
      return;
    }
    const status = element('p', { className: 'run-compare-message', attrs: { role: 'status', 'aria-live': 'polite' } });
    const buttons = offered.map(({ choice, comparison }) => {
      const button = element('button', {
        className: 'run-compare-preset',
        text: `${choice.agent.name}: ${comparison.title}`,
        attrs: { type: 'button', title: `Run ${choice.agent.name} as "${comparison.a.label}" and as "${comparison.b.label}", then compare them (A: ${comparison.a.label})` },
      });
      button.addEventListener('click', () => {
        status.textContent = `Running ${choice.agent.name}: ${comparison.a.label} and ${comparison.b.label}…`;
        status.dataset.kind = 'pending';
        this.deps.compare(choice, comparison).then(
          (message) => {
            status.textContent = message;
            status.dataset.kind = 'ok';
          },
          (error: unknown) => {
            status.textContent = `Could not compare: ${isApiError(error) ? error.reason : error instanceof Error ? error.message : String(error)}`;
            status.dataset.kind = 'error';
          },
        );
      });
      return element('li', {}, [button]);
    });
    this.comparisons.replaceChildren(element('h3', { text: 'Compare two runs' }), element('ul', { className: 'run-compare-list' }, buttons), status);
  }

  /** Builds the description and parameter inputs of the selected agent, unless they are already shown. */
  private showChoice(): void {
    const choice = this.choices.get(this.select.value);
    if (choice === undefined) return;
    this.againButton.hidden = !this.ran.has(choice.key);
    const descriptor = JSON.stringify(choice.agent);
    if (this.shown?.key === choice.key && this.shown.descriptor === descriptor) return;
    this.shown = { key: choice.key, descriptor };
    const about: HTMLElement[] = [];
    if (choice.agent.title !== undefined && choice.agent.title !== '') about.push(element('p', { className: 'run-title', text: choice.agent.title }));
    if (choice.agent.description !== undefined && choice.agent.description !== '') about.push(element('p', { className: 'run-description', text: choice.agent.description }));
    about.push(element('p', { className: 'run-runner', text: `offered by ${choice.serviceName} (${choice.runnerId})` }));
    this.about.replaceChildren(...about);
    this.inputs = new Map();
    this.fields.replaceChildren(
      ...choice.agent.parameters.map((parameter, index) => {
        const input = parameterInput(parameter, index);
        this.inputs.set(parameter.name, input);
        input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
        return element('div', { className: 'run-field' }, [
          element('label', { text: parameterLabel(parameter.name), attrs: { for: input.id } }),
          input,
          element('small', { className: 'run-help', text: helpText(parameter), attrs: { id: `${input.id}-help` } }),
        ]);
      }),
    );
    if (choice.agent.parameters.length === 0) this.fields.append(element('p', { className: 'run-help', text: 'This agent takes no parameters.' }));
  }

  private async submit(mode: 'run' | 'compare'): Promise<void> {
    const choice = this.choices.get(this.select.value);
    if (choice === undefined || this.sending) return;
    const values: Record<string, string> = {};
    for (const [name, input] of this.inputs) values[name] = input.value;
    const reading = readAgentParams(choice.agent.parameters, values);
    for (const input of this.inputs.values()) input.removeAttribute('aria-invalid');
    if (!reading.ok) {
      for (const problem of reading.problems) this.inputs.get(problem.name)?.setAttribute('aria-invalid', 'true');
      this.inputs.get(reading.problems[0]!.name)?.focus();
      this.setMessage(reading.problems.map((problem) => problem.message).join('; '), 'error');
      return;
    }
    const name = choice.agent.name;
    this.sending = true;
    this.button.disabled = true;
    this.againButton.disabled = true;
    this.setMessage(`Asking ${choice.serviceName} to run ${name}…`, 'pending');
    try {
      const request = { runnerId: choice.runnerId, agent: name, params: reading.params };
      if (mode === 'compare') {
        this.setMessage(await this.deps.runAndCompare(request), 'ok');
      } else {
        const accepted = await this.deps.run(request);
        const params = Object.entries(accepted.params).map(([key, value]) => `${parameterLabel(key)} ${value}`);
        this.setMessage(`Started ${accepted.agent}${params.length === 0 ? '' : ` (${params.join(', ')})`}: its trace opens when it arrives.`, 'ok');
      }
      this.ran.add(choice.key);
      if (this.select.value === choice.key) this.againButton.hidden = false;
    } catch (error) {
      this.setMessage(`Could not run ${name}: ${isApiError(error) ? error.reason : error instanceof Error ? error.message : String(error)}`, 'error');
    } finally {
      this.sending = false;
      this.button.disabled = false;
      this.againButton.disabled = false;
    }
  }

  private setMessage(text: string, kind: MessageKind): void {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
  }
}

function parameterInput(parameter: AgentParameter, index: number): HTMLInputElement {
  const id = `run-param-${index}`;
  return element('input', {
    attrs: {
      id,
      name: parameter.name,
      type: 'number',
      inputmode: 'numeric',
      step: '1',
      min: String(parameter.min),
      max: String(parameter.max),
      value: String(parameter.default),
      'aria-describedby': `${id}-help`,
    },
  });
}

function helpText(parameter: AgentParameter): string {
  const range = `${parameter.min}–${parameter.max}, default ${parameter.default}`;
  return parameter.description === '' ? range : `${parameter.description} (${range})`;
}

function noRunnerNote(): Node[] {
  const code = (text: string): HTMLElement => element('code', { text });
  return [
    element('p', { text: 'No runner is connected, so there is no agent to run.' }),
    element('p', { className: 'run-help' }, [
      'Start the demo with ',
      code('npm start'),
      ', or offer agents from your own process: ',
      code('startTelemetry({ dashboard })'),
      ', then ',
      code('telemetry.dashboard.offerAgents(...)'),
      '.',
    ]),
  ];
}
