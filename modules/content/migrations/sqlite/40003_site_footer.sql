-- Content, continued.
-- The page footer every government site must show (政府网站发展指引): 网站标识码, ICP备案号,
-- 公安机关备案号, the 党政机关网站标识 id, 承办单位 and contact. Set per site by its
-- administrators; '' means not set, and the footer then leaves the item out.

ALTER TABLE sites ADD COLUMN site_code TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN icp_record TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN police_record TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN conac_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN undertaker TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN contact_address TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
