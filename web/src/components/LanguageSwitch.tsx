// The language switch: English or Spanish, remembered on this device.
import { NativeSelect } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, isLanguage, languageNames, languages } from '@/lib/i18n';

export function LanguageSwitch({ size = 'xs' }: { size?: 'xs' | 'sm' }) {
  const { t, i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? 'en';
  return (
    <NativeSelect
      size={size}
      label={t('language.label')}
      value={current}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (isLanguage(value)) void chooseLanguage(value);
      }}
      data={languages.map((language) => ({
        value: language,
        label: languageNames[language],
      }))}
    />
  );
}
