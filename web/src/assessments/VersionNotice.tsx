import type { Assessment, Template } from "../api/types.ts";
import { Alert } from "../ui/Alert.tsx";

/**
 * The API serves a template's current version only; an assessment pinned to an older one is
 * scored against its own version, so say when the questions shown may differ.
 */
export function VersionNotice({ assessment, template }: { assessment: Assessment; template: Template }) {
  if (assessment.templateVersion === template.version) return null;
  return (
    <Alert tone="info">
      This questionnaire has changed since this assessment started (version {assessment.templateVersion}; now version {template.version}). The
      questions and scales shown are the current ones and may differ from yours.
    </Alert>
  );
}
