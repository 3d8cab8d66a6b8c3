import { useId } from "react";
import type { AnswerValue, Question } from "../api/types.ts";
import { choicesOf } from "./sections.ts";

const columns: Record<number, string> = {
  2: "sm:grid-cols-2",
  3: "sm:grid-cols-3",
  4: "sm:grid-cols-4",
  5: "sm:grid-cols-5",
  6: "sm:grid-cols-6",
  7: "sm:grid-cols-7",
};

interface Props {
  question: Question;
  number: number;
  value: AnswerValue | undefined;
  error: string | undefined;
  onChange: (value: AnswerValue) => void;
}

/** One question: native radios in a fieldset that is a radio group (arrow keys move between choices) or a textarea. */
export function QuestionInput({ question, number, value, error, onChange }: Props) {
  const id = useId();
  const errorId = `${id}-error`;
  const choices = choicesOf(question);
  const errorText = error && (
    <p id={errorId} className="mt-2 text-sm font-medium text-red-700">
      <span aria-hidden="true">⚠ </span>
      {error}
    </p>
  );
  const legend = (
    <>
      <span className="mr-1 text-slate-500">{number}.</span> {question.text}
      {!question.required && <span className="ml-1 text-sm font-normal text-slate-600">(optional)</span>}
    </>
  );

  if (question.type === "text" || choices.length === 0) {
    return (
      <div className="rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-5" data-question={question.id}>
        <label htmlFor={id} className="block font-medium text-slate-900">
          {legend}
        </label>
        <textarea
          id={id}
          rows={4}
          maxLength={question.maxLength ?? 4000}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          aria-required={question.required}
          className="mt-3 block w-full rounded-lg border border-slate-400 px-3 py-2 text-base"
        />
        {errorText}
      </div>
    );
  }

  return (
    // A fieldset's role (group) allows neither aria-required nor aria-invalid; a radio group takes both.
    <fieldset
      role="radiogroup"
      aria-labelledby={`${id}-legend`}
      className="rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-5"
      data-question={question.id}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? errorId : undefined}
      aria-required={question.required}
    >
      <legend id={`${id}-legend`} className="float-left w-full font-medium text-slate-900">
        {legend}
      </legend>
      <div className={`clear-both grid gap-2 pt-3 ${columns[choices.length] ?? ""}`}>
        {choices.map((choice, i) => {
          const checked = value === choice.value;
          return (
            <label
              key={String(choice.value)}
              className={`flex min-h-11 cursor-pointer items-center gap-3 rounded-lg border px-3 py-2 text-sm has-[:focus-visible]:outline-3 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-brand-600 sm:flex-col sm:justify-center sm:gap-1 sm:text-center ${
                checked ? "border-brand-700 bg-brand-50 font-semibold text-brand-900" : "border-slate-300 text-slate-800 hover:border-slate-500"
              }`}
            >
              <input
                type="radio"
                name={`${id}-${question.id}`}
                value={i}
                checked={checked}
                onChange={() => onChange(choice.value)}
                className="size-4 accent-brand-700"
              />
              <span>{choice.label}</span>
            </label>
          );
        })}
      </div>
      {errorText}
    </fieldset>
  );
}
