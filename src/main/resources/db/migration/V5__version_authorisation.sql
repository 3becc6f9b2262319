-- How each version was authorised (who published or staged it, through what, who approved it with which factor),
-- served in the packument under the version's "airlock" field.
ALTER TABLE versions ADD COLUMN authorisation_json TEXT;
