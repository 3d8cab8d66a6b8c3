/**
 * How an assessment is paged: one section at a time. Questions carry an optional `section`;
 * consecutive questions with the same one form a page. Templates without sections are paged
 * in groups of five.
 */
import type { AnswerValue, Answers, Question } from "../api/types.ts";

export interface Section {
  title: string | null;
  questions: Question[];
}

export function groupSections(questions: readonly Question[], pageSize = 5): Section[] {
  const hasSections = questions.some((q) => q.section);
  if (!hasSections) {
    const pages: Section[] = [];
    for (let i = 0; i < questions.length; i += pageSize) pages.push({ title: null, questions: questions.slice(i, i + pageSize) });
    return pages;
  }
  const sections: Section[] = [];
  for (const question of questions) {
    const title = question.section ?? null;
    const last = sections.at(-1);
    if (last && (title === null || last.title === title)) last.questions.push(question);
    else sections.push({ title, questions: [question] });
  }
  return sections;
}

export function isAnswered(value: AnswerValue | undefined): boolean {
  if (value === undefined) return false;
  return typeof value === "number" || value.trim() !== "";
}

export function countAnswered(questions: readonly Question[], answers: Answers): number {
  return questions.filter((q) => isAnswered(answers[q.id])).length;
}

export function missingRequired(questions: readonly Question[], answers: Answers): Question[] {
  return questions.filter((q) => q.required && !isAnswered(answers[q.id]));
}

/** Where a resumed assessment opens: the first section with an unanswered question, else the last. */
export function resumeSection(sections: readonly Section[], answers: Answers): number {
  const index = sections.findIndex((s) => s.questions.some((q) => !isAnswered(answers[q.id])));
  return index === -1 ? Math.max(0, sections.length - 1) : index;
}

/** The section holding question `questionId`, or -1. */
export function sectionOf(sections: readonly Section[], questionId: string): number {
  return sections.findIndex((s) => s.questions.some((q) => q.id === questionId));
}

export interface Choice {
  value: string | number;
  label: string;
}

/** The choices of a likert or single-choice question; a likert without labels counts min..max. */
export function choicesOf(question: Question): Choice[] {
  if (question.options && question.options.length > 0) return question.options;
  if (question.type === "likert" && question.min !== undefined && question.max !== undefined && question.max - question.min <= 20) {
    const choices: Choice[] = [];
    for (let v = question.min; v <= question.max; v++) choices.push({ value: v, label: String(v) });
    return choices;
  }
  return [];
}
