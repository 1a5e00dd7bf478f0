// French strings of the intake and upload screens: the same keys and arguments as en.ts (the
// type checker refuses a missing or extra one). Sizes in octets, dates as French readers write
// them, a non-breaking space before ":", ";", "?" and "!" as French typography wants.
import type { DicomWriteErrorCode } from "../dicom-write/errors";
import type { DicomdirNote } from "../intake/dicomdir-check";
import { numberRanges, type SeriesRef, type WarningDetail } from "../intake/checks";
import type { IntakeProblem } from "../intake/problems";
import type { Catalog } from "./en";

const plural = (n: number, one: string, many: string) => (n <= 1 ? one : many);
const count = (n: number) => n.toLocaleString("fr-FR");

/** "a, b et c", or "a, b, c et 4 autres" past `max` names. */
function listNames(names: readonly string[], max = 3): string {
  if (names.length <= 1) return names[0] ?? "";
  if (names.length > max)
    return `${names.slice(0, max).join(", ")} et ${names.length - max} autres`;
  return `${names.slice(0, -1).join(", ")} et ${names.at(-1)}`;
}

const SIZE_UNITS = ["octets", "Ko", "Mo", "Go", "To"] as const;

function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const text = value.toLocaleString("fr-FR", {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
  return `${text} ${n === 1 && unit === 0 ? "octet" : SIZE_UNITS[unit]}`;
}

const DATE_FORMAT = new Intl.DateTimeFormat("fr-FR", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

function date(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return iso;
  const at = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isNaN(at.getTime()) ? iso : DATE_FORMAT.format(at);
}

const UNPACK = "décompressez-la sur un ordinateur et envoyez le dossier";
const UNPACK_SENTENCE = "Décompressez-la sur un ordinateur et envoyez le dossier.";

function problem(p: IntakeProblem): string {
  switch (p.code) {
    case "not-an-image":
      return "Ce n'est pas une image que nous pouvons envoyer (ce n'est pas un fichier DICOM). S'il devait en être un, exportez de nouveau les images depuis le système qui les a produites.";
    case "photo":
      return `C'est une photo (${p.format}), pas une image DICOM. Les photos ne peuvent pas encore être envoyées au PACS depuis cette application.`;
    case "empty":
      return "Ce fichier est vide (0 octet). Copiez-le de nouveau depuis sa source.";
    case "unreadable":
      return "Ce fichier n'a pas pu être lu sur votre appareil. Il a peut-être été déplacé ou supprimé après avoir été choisi : choisissez-le de nouveau.";
    case "dicom-cut-short":
      return "Ce fichier DICOM est incomplet ou endommagé : il se termine avant ses données. Copiez-le de nouveau depuis le CD, l'appareil ou le dossier d'origine.";
    case "dicom-unreadable":
      return "L'en-tête de ce fichier DICOM est endommagé et ne peut pas être lu. Exportez-le de nouveau depuis le système qui l'a produit.";
    case "dicom-without-ids":
      return "Ce fichier DICOM n'a pas d'identifiant d'examen ou d'image : un PACS ne peut pas le classer. Exportez-le de nouveau depuis le système qui l'a produit.";
    case "duplicate-conflict":
      return `Un autre fichier (${p.otherPath}) porte le même identifiant d'image mais un contenu différent. Seul celui-là sera envoyé ; demandez à qui a produit les images lequel est le bon.`;
    case "other-archive":
      return `C'est une archive ${p.format}, que cette application ne sait pas ouvrir. Envoyez plutôt un fichier ZIP, ou ${UNPACK}.`;
    case "archive-damaged":
      return "Cette archive est endommagée ou incomplète (son téléchargement n'est peut-être pas terminé). Téléchargez-la ou copiez-la de nouveau.";
    case "archive-empty":
      return "Cette archive ne contient aucun fichier que nous ayons pu extraire. Vérifiez que vous avez choisi la bonne.";
    case "member-damaged":
      return "Ce fichier est endommagé dans son archive (sa somme de contrôle ne correspond pas) : il n'a pas été envoyé. Copiez ou téléchargez l'archive de nouveau.";
    case "archive-bomb":
      return `Cette archive se décompresserait en plus de ${p.ratio} fois sa taille, comme une « bombe ZIP » : elle n'a pas été ouverte. Si vous lui faites confiance, ${UNPACK}.`;
    case "archive-too-large":
      return `Cette archive se décompresserait en plus de ${bytes(p.limitBytes)} : elle n'a pas été ouverte. Envoyez moins d'examens à la fois, ou ${UNPACK}.`;
    case "archive-nested-too-deep":
      return `Cette archive est dans une archive, elle-même dans une archive ; un seul niveau est ouvert. ${UNPACK_SENTENCE}`;
    case "password-protected":
      return "Ce fichier est protégé par un mot de passe dans son archive et ne peut pas être ouvert ici. Refaites l'archive sans mot de passe, ou envoyez les fichiers eux-mêmes.";
    case "archive-password-protected":
      return "Cette archive est protégée par un mot de passe et ne peut pas être ouverte ici. Refaites-la sans mot de passe, ou envoyez les fichiers eux-mêmes.";
    case "multi-volume":
      return "C'est une partie d'une archive découpée en plusieurs morceaux, qui ne peut pas être ouverte ici. Décompressez-la sur un ordinateur et envoyez le dossier, ou mettez tous les fichiers dans un seul ZIP.";
    case "unsupported-compression":
      return `Ce fichier est compressé avec une méthode que cette application ne sait pas décompresser (${p.method}). Refaites l'archive en ZIP standard, ou ${UNPACK}.`;
    case "member-too-large":
      return `Ce fichier est trop gros pour être décompressé sur cet appareil (plus de ${bytes(p.limitBytes)}). ${UNPACK_SENTENCE}`;
    case "rar-too-large":
      return `Cette archive RAR est trop grosse pour être ouverte sur cet appareil (plus de ${bytes(p.limitBytes)}). Envoyez-la plutôt en ZIP, ou ${UNPACK}.`;
    case "rar-reference":
      return "Ce fichier est enregistré dans l'archive RAR comme une référence à un autre fichier, qui ne peut pas être extraite ici. Refaites l'archive sans références de fichiers, ou envoyez-la en ZIP.";
    case "link":
      return "C'est un lien vers un autre fichier, pas un fichier : il a été ignoré. Si le fichier vers lequel il pointe doit être envoyé, choisissez ce fichier lui-même.";
    case "unpacker-failed":
      return "Cette application n'a pas pu lancer son outil de décompression pour cette archive. Rechargez l'application et réessayez.";
    case "out-of-memory":
      return `Cette archive demande plus de mémoire que cet appareil n'en a de libre. ${UNPACK_SENTENCE}`;
  }
}

function seriesLabel(series: SeriesRef): string {
  const what = [series.modality, series.description].filter(Boolean).join(", ");
  const number = series.number === undefined ? "" : ` ${series.number}`;
  return `Série${number}${what ? ` (${what})` : ""}`;
}

const found = (n: number) => `${n} ${plural(n, "a été trouvée", "ont été trouvées")}`;

function warning(detail: WarningDetail): string {
  switch (detail.code) {
    case "instance-gap": {
      const { missing, min, max } = detail;
      const n = missing.length;
      const list = listNames(numberRanges(missing, "à"), 4);
      return `${seriesLabel(detail.series)} : ${n} ${plural(n, "image semble manquer", "images semblent manquer")} (${plural(n, "numéro", "numéros")} ${list} ; ${detail.found} trouvées entre ${min} et ${max}).`;
    }
    case "fewer-than-declared":
      return detail.perAcquisition
        ? `${seriesLabel(detail.series)} annonce ${detail.declared} images dans une acquisition, mais ${found(detail.found)}.`
        : `${seriesLabel(detail.series)} annonce ${detail.declared} images, mais ${found(detail.found)}.`;
    case "several-patients": {
      const who = detail.patients.map(
        (p) => [p.name, p.id && `ID ${p.id}`].filter(Boolean).join(", ") || "sans nom",
      );
      return `Un même examen contient des images de ${detail.patients.length} patients différents (${listNames(who)}) : vérifiez que ces fichiers vont ensemble.`;
    }
    case "duplicates-dropped": {
      const n = detail.paths.length;
      return n === 1
        ? `1 fichier est la copie exacte d'un autre et ne sera envoyé qu'une fois : ${listNames(detail.paths)}.`
        : `${n} fichiers sont des copies exactes d'autres fichiers et ne seront envoyés qu'une fois : ${listNames(detail.paths)}.`;
    }
    case "duplicate-conflict":
      return `${detail.path} et ${detail.keptPath} se disent la même image mais diffèrent ; seul ${detail.keptPath} sera envoyé.`;
    case "not-images": {
      const n = detail.paths.length;
      return n === 1
        ? `1 fichier n'est pas une image que nous pouvons envoyer et sera laissé de côté : ${listNames(detail.paths)}.`
        : `${n} fichiers ne sont pas des images que nous pouvons envoyer et seront laissés de côté : ${listNames(detail.paths)}.`;
    }
    case "dicomdir-missing-files":
      return `${DICOMDIR_INTRO} ${detail.missing} des ${detail.referenced} fichiers qu'il liste manquent dans votre choix : choisissez le disque ou le dossier entier.`;
  }
}

const DICOMDIR_INTRO =
  "C'est l'index d'un CD ou d'un DVD (DICOMDIR), pas une image : il n'est pas envoyé.";

const WRITE_ERRORS: Readonly<Record<DicomWriteErrorCode, string>> = {
  "not-a-photo":
    "Ce fichier n'est pas une photo JPEG ou PNG, il ne peut donc pas être envoyé. Choisissez une photo JPEG ou PNG et réessayez.",
  "heic-photo":
    "Cette photo est au format HEIC (celui de l'iPhone par défaut), que nous ne savons pas envoyer. Partagez-la ou exportez-la en JPEG (sur iPhone : Réglages > Appareil photo > Formats > Le plus compatible) et réessayez.",
  "damaged-photo":
    "Ce fichier photo est endommagé ou incomplet (son téléchargement n'est peut-être pas terminé). Ouvrez-le sur l'appareil pour le vérifier, enregistrez-le de nouveau en JPEG ou PNG, et réessayez.",
  "progressive-jpeg":
    "Cette photo est un JPEG progressif, que nous ne pouvons pas envoyer tel quel. Enregistrez-la en JPEG standard ou en PNG et réessayez.",
  "arithmetic-jpeg":
    "Cette photo est un JPEG à codage arithmétique, que nous ne pouvons pas envoyer tel quel. Enregistrez-la en JPEG standard ou en PNG et réessayez.",
  "lossless-jpeg":
    "Cette photo est un JPEG sans perte ou hiérarchique, que nous ne pouvons pas envoyer tel quel. Enregistrez-la en JPEG standard ou en PNG et réessayez.",
  "high-bit-depth-jpeg":
    "Cette photo est un JPEG 12 bits ou étendu, que nous ne pouvons pas envoyer tel quel. Enregistrez-la en JPEG standard ou en PNG et réessayez.",
  "cmyk-jpeg":
    "Cette photo utilise des couleurs d'impression (CMJN), que nous ne pouvons pas envoyer. Enregistrez-la en JPEG standard ou en PNG, en couleurs RVB, et réessayez.",
  "unsupported-png":
    "Ce PNG utilise une fonction que nous ne savons pas lire. Enregistrez-le de nouveau en PNG standard ou en JPEG et réessayez.",
  "photo-too-large":
    "Cette photo est trop grande pour être envoyée (plus de 65 535 pixels de côté, ou trop lourde pour cet appareil). Réduisez-la et réessayez.",
  "empty-impression": "L'impression clinique est vide. Rédigez-la et réessayez.",
  "missing-patient-details":
    "Le nom et l'identifiant du patient sont nécessaires pour classer ceci dans le PACS. Remplissez-les et réessayez.",
  "value-too-long":
    "Une information du patient ou de l'examen est plus longue que ce que DICOM permet. Raccourcissez-la et réessayez.",
  "invalid-study-uid":
    "L'examen auquel ceci appartient a un identifiant illisible : nous ne pouvons rien y ajouter. Choisissez de nouveau les images de l'examen et réessayez.",
};

export const fr: Catalog = {
  bytes,
  date,

  "page.title": "Envoyer un examen",
  "page.documentTitle": "Envoyer un examen · RelayPACS",
  "lang.label": "Langue",

  "pick.intro":
    "Choisissez ce que vous envoyez : des fichiers DICOM, un dossier d'un CD ou d'une clé USB, une archive ZIP ou RAR, ou des photos.",
  "pick.files": "Choisir des fichiers",
  "pick.filesHint": "Fichiers DICOM, archives ZIP ou RAR, photos JPEG ou PNG.",
  "pick.folder": "Choisir un dossier",
  "pick.camera": "Prendre une photo",
  "pick.drop": "Ou déposez ici des fichiers ou un dossier.",
  "pick.dropActive": "Déposez pour lire ces fichiers.",
  "pick.again": "Choisir d'autres fichiers",

  "scan.title": "Lecture des fichiers…",
  "scan.progress": (files: number, size: string, total?: number) =>
    total === undefined
      ? `${count(files)} ${plural(files, "fichier lu", "fichiers lus")} (${size}).`
      : `${count(files)} ${plural(files, "fichier lu", "fichiers lus")} sur ${count(total)} (${size}).`,
  "scan.note":
    "Seuls les premiers octets de chaque fichier sont lus. Rien ne quitte encore cet appareil.",
  "scan.stop": "Arrêter la lecture",

  "empty.title": "Rien à envoyer",
  "empty.text":
    "Aucun de ces fichiers n'est une image DICOM ou une photo que nous pouvons envoyer.",

  "studies.title": "Quel examen d'abord ?",
  "studies.intro": (n: number) =>
    `Ces fichiers contiennent ${n} examens. Chaque examen est vérifié et envoyé séparément : choisissez-en un.`,
  "studies.sent": "Dans la file d'envoi",
  "studies.noName": "Pas de nom de patient dans les fichiers",

  "review.title": "Vérifiez l'examen",
  "study.heading": "Examen",
  "study.patient": "Patient",
  "study.patientId": "ID patient",
  "study.date": "Date de l'examen",
  "study.modalities": "Type d'images",
  "study.description": "Description",
  "study.instances": "Images",
  "study.size": "Taille",
  "study.notInFiles": "Absent des fichiers",
  "study.rename": "Description de l'examen",
  "study.renameHintExisting":
    "Utilisée dans cette application seulement (la confirmation et la file d'envoi) : les images sont envoyées telles quelles, le PACS garde donc la description qu'elles portent.",
  "study.renameHintNew": "Écrite dans les photos : c'est la description que le PACS affiche.",

  "series.legend": "Séries à envoyer",
  "series.hint": "Décochez une série pour la laisser de côté.",
  "series.noDescription": "Sans description",
  images: (n: number) => `${count(n)} ${plural(n, "image", "images")}`,

  "photos.title": (n: number) => `Photos (${n})`,
  "photos.hintExisting": "Chaque photo est ajoutée à cet examen comme image DICOM.",
  "photos.hintNew": "Les photos sont envoyées comme un nouvel examen du patient nommé ci-dessous.",
  "photos.remove": "Retirer",
  "photos.removeLabel": (name: string) => `Retirer ${name}`,
  "photos.checking": "Vérification…",
  "photos.ready": "Prête à envoyer",
  "photos.another": "Prendre une autre photo",

  "patient.legend": "Qui est sur ces photos ?",
  "patient.intro":
    "Aucune image DICOM n'accompagne ces photos : le PACS a besoin du nom et de l'identifiant du patient.",
  "patient.family": "Nom de famille",
  "patient.given": "Prénom (facultatif)",
  "patient.id": "ID patient",
  "patient.birthDate": "Date de naissance (facultatif)",
  "patient.sex": "Sexe (facultatif)",
  "patient.sexUnknown": "Non précisé",
  "patient.sexF": "Féminin",
  "patient.sexM": "Masculin",
  "patient.sexO": "Autre",
  "patient.missing": "Saisissez le nom de famille et l'identifiant du patient.",

  "warnings.title": "À vérifier avant l'envoi",
  "rejected.summary": (n: number) =>
    `${count(n)} ${plural(n, "fichier ne sera pas envoyé", "fichiers ne seront pas envoyés")}. Voir pourquoi`,
  "impression.label": "Impression clinique (facultatif)",
  "impression.hint":
    "Ce que la personne qui lira les images doit savoir. Elle part au PACS comme un compte rendu texte dans le même examen.",

  "review.continue": "Continuer",
  "review.nothing":
    "Rien n'est coché. Cochez une série, ou ajoutez une photo, pour envoyer quelque chose.",
  "review.otherStudy": "Choisir un autre examen",

  "gate.title": "Prêt à envoyer ?",
  "gate.question": (images: number, patient: string) =>
    `Envoyer ${count(images)} ${plural(images, "image", "images")} de ${patient} au PACS ?`,
  "gate.someone": "ce patient",
  "gate.description": (text: string) => `Description de l'examen : ${text}`,
  "gate.photos": (n: number) =>
    `${plural(n, "Dont 1 photo, envoyée", `Dont ${n} photos, envoyées`)} comme ${plural(n, "image", "images")} DICOM.`,
  "gate.impression":
    "Votre impression clinique les accompagne, comme compte rendu texte dans le même examen.",
  "gate.send": "Oui, envoyer",
  "gate.preparing": "Préparation…",
  "gate.back": "Retour",

  "upload.starting": "Démarrage de l'envoi…",
  "upload.keepOpen":
    "Vous pouvez quitter cet écran : l'examen reste dans la file d'envoi et continue tant que l'application est ouverte.",
  "upload.queue": "Voir la file d'envoi",
  "upload.another": "Envoyer un autre examen",
  "upload.next": (n: number) => `Vérifier l'examen suivant de ces fichiers (il en reste ${n})`,
  "upload.home": "Accueil",
  "upload.tryAgain": "Réessayer",
  "upload.startOver": "Recommencer",

  "error.unexpected": "Un problème est survenu dans cette application. Veuillez réessayer.",
  "error.photo": (name: string, message: string) => `${name} : ${message}`,

  problem,
  warning,
  writeError: (code: DicomWriteErrorCode): string => WRITE_ERRORS[code],
  dicomdir: (note: Pick<DicomdirNote, "referencedFiles" | "missingFiles">): string => {
    const listed = note.referencedFiles;
    const missing = note.missingFiles.length;
    if (listed === 0) return DICOMDIR_INTRO;
    return missing === 0
      ? `${DICOMDIR_INTRO} Les ${listed} fichiers qu'il liste ont tous été trouvés.`
      : `${DICOMDIR_INTRO} ${missing} des ${listed} fichiers qu'il liste manquent dans votre choix : choisissez le disque ou le dossier entier.`;
  },
};
