import { useState, type FormEvent } from 'react';
import { backend, toApiError } from '../../backend';
import type { AlertRuleView } from '../../bindings/AlertRuleView';
import type { ApiError } from '../../bindings/ApiError';
import type { MapView } from '../../bindings/MapView';
import { formToRule, hasErrors, shownError, validateRuleForm, type RuleForm, type RuleFormField } from '../../lib/alerts';

/**
 * The rule dialog's form: the text typed, which fields were touched, the errors to show, and
 * the save (checked first; the backend's refusal is kept to show above the fields).
 */
export function useRuleForm(
  initial: RuleForm,
  maps: readonly MapView[],
  onSaved: (rule: AlertRuleView, isNew: boolean) => void,
) {
  const [form, setForm] = useState<RuleForm>(initial);
  const [touched, setTouched] = useState<Partial<Record<RuleFormField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const isNew = initial.id === null;

  const mapNames = maps.length > 0 ? maps.map((m) => m.name) : undefined;
  const errors = validateRuleForm(form, mapNames);

  const set = <K extends keyof RuleForm>(field: K, value: RuleForm[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setServerError(null);
  };
  const touch = (field: RuleFormField) => setTouched((t) => ({ ...t, [field]: true }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (hasErrors(errors)) return;
    setSaving(true);
    try {
      onSaved(await backend.saveAlertRule(formToRule(form)), isNew);
    } catch (e) {
      setServerError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  return {
    form,
    isNew,
    errors,
    saving,
    serverError,
    /** A field's error, once it should be shown. */
    shown: (field: RuleFormField) => shownError(errors, field, touched, submitted),
    set,
    touch,
    submit: (event: FormEvent) => void submit(event),
  };
}

export type RuleFormState = ReturnType<typeof useRuleForm>;
